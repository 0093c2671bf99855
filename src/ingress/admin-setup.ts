import { z } from 'zod';
import { AutotaskError } from '../autotask/errors';
import { RemoteError } from '../http/remote-errors';
import { acceptEarlierForms } from '../connector/configuration';
import { rmmAdapter } from '../rmm/registry';
import { checkAccountLink, type AccountCheck } from '../setup/account-check';
import { applySetup, checkConnectorAccounts, linkPreviewRequestSchema, parseSetupBody, previewLink, setupView, validateSetup, type SetupDeps } from '../setup/setup';
import { accountCheckRequestSchema } from './schemas';
import { registerAutotaskWebhook } from '../setup/webhook-registration';
import { CONNECTOR_ID } from './admin-connectors';
import { json, problem, type HttpResult } from './result';

export interface SetupHandlerDeps {
  setup: SetupDeps;
  enqueueCatalogueRefresh(connectorId: string): Promise<string>;
}

const notFound = (id: string) => problem(404, 'Not Found', `no connector ${id}`);

/** `GET /api/v1/connectors/{id}/setup`: options, suggestions, the saved choices and their health. */
export async function getSetup(deps: SetupHandlerDeps, id: string): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return notFound(id);
  try {
    const view = await setupView(deps.setup, id);
    return view ? json(200, view) : notFound(id);
  } catch (error) {
    return remoteFailure(error);
  }
}

/** `POST /api/v1/connectors/{id}/setup`: validate everything, then replace the mappings at once — or save nothing. */
export async function postSetup(deps: SetupHandlerDeps, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return notFound(id);
  const parsed = parseSetupBody(body);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    const outcome = await applySetup(deps.setup, id, parsed.data);
    if (!outcome) return notFound(id);
    if (!outcome.saved) {
      return problem(422, 'Unprocessable Content', `${outcome.problems.length} mapping(s) cannot be saved; nothing was changed`, {
        errors: outcome.problems,
      });
    }
    return json(200, await deps.setup.store.connectors.getRedacted(id));
  } catch (error) {
    return remoteFailure(error);
  }
}

/** `POST /api/v1/connectors/{id}/setup/validate`: what a save would refuse; saves nothing. */
export async function postSetupValidate(deps: SetupHandlerDeps, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return notFound(id);
  const parsed = parseSetupBody(body);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    const problems = await validateSetup(deps.setup, id, parsed.data);
    return problems ? json(200, { valid: problems.length === 0, errors: problems }) : notFound(id);
  } catch (error) {
    return remoteFailure(error);
  }
}

/**
 * `POST /api/v1/connectors/{id}/setup/link`: the wizard's account link step — checks an RMM link
 * that is not saved and answers with the setup as it would be with it. Saves nothing: the link is
 * saved with the mappings (`POST …/setup` with `rmm`), so a wizard closed half-way changes nothing.
 */
export async function postSetupLink(deps: SetupHandlerDeps, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return notFound(id);
  const parsed = linkPreviewRequestSchema.safeParse(body);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    const preview = await previewLink(deps.setup, id, parsed.data.rmm);
    if (!preview) return notFound(id);
    if ('missingSecrets' in preview) {
      return problem(422, 'Unprocessable Content', 'a link to another RMM needs its own secrets: the stored ones belong to the RMM linked now', {
        errors: preview.missingSecrets.map((field) => ({ mapping: field, reason: 'type the secret in: "[redacted]" keeps only a secret of the RMM linked now' })),
      });
    }
    return json(200, { check: withEarlierName(preview.check, parsed.data.rmm.kind), setup: preview.setup });
  } catch (error) {
    return remoteFailure(error);
  }
}

/** `POST /api/v1/connectors/{id}/setup/refresh`: re-read both catalogues in the background. */
export async function postSetupRefresh(deps: SetupHandlerDeps, id: string): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id) || !(await deps.setup.store.connectors.get(id))) return notFound(id);
  return json(202, { queued: true, jobId: await deps.enqueueCatalogueRefresh(id) });
}

/** `POST /api/v1/connectors/{id}/setup/check`: the account link check with the stored credentials. */
export async function postSetupCheck(deps: SetupHandlerDeps, id: string): Promise<HttpResult> {
  const connector = CONNECTOR_ID.test(id) ? await deps.setup.store.connectors.get(id) : null;
  if (!connector) return notFound(id);
  return json(200, withEarlierName(await checkConnectorAccounts(deps.setup, connector), connector.rmm.kind));
}

/** A PCSM connector's check also answers under `pcsm`, the contract's first name for the RMM side. */
function withEarlierName(check: AccountCheck, kind: string): AccountCheck {
  return kind === 'pcsm' ? { ...check, pcsm: check.rmm } : check;
}

/** `POST /api/v1/account-check`: the same check for credentials not saved anywhere (nothing is stored). */
export async function postAccountCheck(deps: SetupHandlerDeps, body: unknown): Promise<HttpResult> {
  const parsed = accountCheckRequestSchema.safeParse(acceptEarlierForms(body));
  if (!parsed.success) return badRequest(parsed.error);
  const { autotask, rmm } = parsed.data;
  const probe = { id: 'account-check' };
  // Only what the check calls needs a value; the webhook secret is never used by it.
  const config = { ...rmm, webhookSecret: 'unused', ...(rmm.kind === 'pcsm' ? { accountId: '' } : {}) };
  const check = await checkAccountLink({
    autotaskUsername: autotask.username,
    autotask: deps.setup.autotaskSession({ ...probe, autotask: { ...autotask, zoneUrl: autotask.zoneUrl ?? null, impersonationResourceId: null, webhookSecret: null } }),
    rmm: deps.setup.rmmSession({ ...probe, rmm: config as never }),
    rmmKind: rmm.kind,
  });
  return json(200, withEarlierName(check, rmm.kind));
}

const registrationSchema = z.object({ publicUrl: z.url({ protocol: /^https?$/ }) }).strict();

/** `POST /api/v1/connectors/{id}/autotask-webhook`: create or update the Autotask TicketWebhook. */
export async function postAutotaskWebhook(deps: SetupHandlerDeps, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return notFound(id);
  const parsed = registrationSchema.safeParse(body);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    const registration = await registerAutotaskWebhook(deps.setup, id, parsed.data.publicUrl);
    return registration ? json(200, registration) : notFound(id);
  } catch (error) {
    return remoteFailure(error);
  }
}

function badRequest(error: z.ZodError): HttpResult {
  const errors = error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
  return problem(400, 'Bad Request', `invalid body: ${errors.map((e) => e.field).join(', ')}`, { errors });
}

/** Autotask or the RMM could not be read: say which and why (client errors never carry secrets). */
function remoteFailure(error: unknown): HttpResult {
  if (error instanceof AutotaskError) return problem(502, 'Bad Gateway', `Autotask could not be read: ${error.message}`);
  if (error instanceof RemoteError) return problem(502, 'Bad Gateway', `${rmmAdapter(error.system).vocabulary.product} could not be read: ${error.message}`);
  throw error;
}

import { z } from 'zod';
import { AutotaskError } from '../autotask/errors';
import { PcsmError } from '../pcsm/errors';
import { checkAccountLink } from '../setup/account-check';
import { applySetup, checkConnectorAccounts, setupApplySchema, setupView, validateSetup, type SetupDeps } from '../setup/setup';
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
  const parsed = setupApplySchema.safeParse(body);
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
  const parsed = setupApplySchema.safeParse(body);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    const problems = await validateSetup(deps.setup, id, parsed.data);
    return problems ? json(200, { valid: problems.length === 0, errors: problems }) : notFound(id);
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
  return json(200, await checkConnectorAccounts(deps.setup, connector));
}

const credentialsSchema = z
  .object({
    autotask: z
      .object({
        username: z.string().min(1),
        secret: z.string().min(1),
        integrationCode: z.string().min(1),
        zoneUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
      })
      .strict(),
    pcsm: z.object({ apiUrl: z.url({ protocol: /^https?$/ }), apiKey: z.string().min(1) }).strict(),
  })
  .strict();

/** `POST /api/v1/account-check`: the same check for credentials not saved anywhere (nothing is stored). */
export async function postAccountCheck(deps: SetupHandlerDeps, body: unknown): Promise<HttpResult> {
  const parsed = credentialsSchema.safeParse(body);
  if (!parsed.success) return badRequest(parsed.error);
  const probe = { id: 'account-check' };
  const { autotask, pcsm } = parsed.data;
  return json(
    200,
    await checkAccountLink({
      autotaskUsername: autotask.username,
      autotask: deps.setup.autotaskSession({ ...probe, autotask: { ...autotask, zoneUrl: autotask.zoneUrl ?? null, impersonationResourceId: null, webhookSecret: null } }),
      pcsm: deps.setup.pcsmSession({ ...probe, pcsm: { ...pcsm, accountId: '', webhookSecret: '' } }),
    }),
  );
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

/** Autotask or PCSM could not be read: say which and why (client errors never carry secrets). */
function remoteFailure(error: unknown): HttpResult {
  if (error instanceof AutotaskError) return problem(502, 'Bad Gateway', `Autotask could not be read: ${error.message}`);
  if (error instanceof PcsmError) return problem(502, 'Bad Gateway', `PCSM could not be read: ${error.message}`);
  throw error;
}

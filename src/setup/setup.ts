import { z } from 'zod';
import type { AutotaskSession } from '../autotask/types';
import {
  acceptEarlierMappings,
  mappingsSchema,
  REDACTED_SECRET,
  newProfilePolicySchema,
  type Connector,
  type MappingProblem,
  type Mappings,
  type NewProfilePolicy,
} from '../connector/configuration';
import type { RmmVocabulary } from '../rmm/adapter';
import { rmmAdapter, rmmConfigSchema, type RmmConfig } from '../rmm/registry';
import type { RmmSession } from '../rmm/session';
import type { RmmKind, RmmSeverity } from '../rmm/types';
import type { Store } from '../store';
import { checkAccountLink, type AccountCheck } from './account-check';
import { activeOnly, type Catalogue, type CatalogueValue } from './catalogue';
import { readCatalogue, readRmmSide } from './read-catalogue';
import { suggestMappings, type Suggestions } from './suggest';
import { validateMappings } from './validate-mappings';

export interface SetupDeps {
  store: Store;
  autotaskSession(connector: Pick<Connector, 'id' | 'autotask'>): AutotaskSession;
  rmmSession(connector: { id: string; rmm: RmmConfig }): RmmSession;
}

type Option<Id> = { id: Id; label: string };

export interface SetupView {
  connectorId: string;
  name: string;
  /** Which RMM, and the words the wizard uses for it. */
  rmm: {
    kind: RmmKind;
    vocabulary: RmmVocabulary;
    /** The path the RMM's webhooks go to, and the templates to paste into the RMM (null: the RMM writes its own payloads). */
    webhook: { path: string; templates: Readonly<Record<string, string>> | null };
  };
  options: {
    /** Sites (profiles) that may be associated; the RMM's pseudo-sites are never offered. */
    profiles: Array<Option<string> & { autotaskCompanyId?: number | null }>;
    companies: Option<number>[];
    queues: Option<number>[];
    rmmStatuses: Option<string>[];
    /** `rmmStatuses` under the contract's first name, for the clients that read it. */
    pcsmStatuses: Option<string>[];
    rmmSeverities: Option<RmmSeverity>[];
    autotaskStatuses: Option<number>[];
    priorities: Option<number>[];
    allocationCodes: Option<number>[];
  };
  suggested: Suggestions;
  current: { mappings: Mappings; newProfilePolicy: NewProfilePolicy };
  catalogueReadAt: string;
  catalogueCalls: Catalogue['calls'];
  status: 'ok' | 'needs-attention';
  problems: MappingProblem[];
}

const draftLinkSchema = rmmConfigSchema.describe(
  'an RMM link not saved yet (the account link step): a secret sent as `"[redacted]"` is the stored one, which a link to another RMM does not have',
);

/** Body of `POST /api/v1/connectors/{id}/setup`: the only call that saves what the wizard chose. */
export const setupApplySchema = z
  .object({
    rmm: draftLinkSchema.optional().describe('a new RMM link, saved with the mappings in the same write; the mappings are checked against what it offers'),
    mappings: mappingsSchema,
    newProfilePolicy: newProfilePolicySchema.optional(),
  })
  .strict();

/** Body of `POST /api/v1/connectors/{id}/setup/link`: an RMM link to try, never saved by that call. */
export const linkPreviewRequestSchema = z.object({ rmm: draftLinkSchema }).strict();

/** A link the wizard has not saved, with its secrets in clear; `missingSecrets` when a marker names a secret there is none of. */
export function resolveDraftLink(connector: Connector, draft: RmmConfig): { rmm: RmmConfig; missingSecrets: string[] } {
  const resolved: Record<string, unknown> = { ...draft };
  const stored = connector.rmm.kind === draft.kind ? (connector.rmm as unknown as Record<string, unknown>) : {};
  const missingSecrets: string[] = [];
  for (const field of rmmAdapter(draft.kind).secretFields) {
    if (resolved[field] !== REDACTED_SECRET) continue;
    if (typeof stored[field] === 'string') resolved[field] = stored[field];
    else missingSecrets.push(`rmm.${field}`);
  }
  return { rmm: resolved as unknown as RmmConfig, missingSecrets };
}

const missingSecretProblems = (fields: string[]): MappingProblem[] =>
  fields.map((field) => ({ mapping: field, reason: 'a link to another RMM needs this secret typed in: the stored one belongs to the RMM linked now' }));

/** The setup body in any accepted form (mapping rows may name their RMM side `pcsm`, the contract's first form). */
export function parseSetupBody(body: unknown) {
  const earlier = body && typeof body === 'object' && !Array.isArray(body) ? { ...body, mappings: acceptEarlierMappings((body as { mappings?: unknown }).mappings) } : body;
  return setupApplySchema.safeParse(earlier);
}

/** Reads both catalogues now, stores them, and re-checks the saved mappings against them. */
export async function refreshCatalogue(deps: SetupDeps, connectorId: string): Promise<Catalogue | null> {
  const connector = await deps.store.connectors.get(connectorId);
  return connector ? refreshCatalogueOf(deps, connector) : null;
}

async function refreshCatalogueOf(deps: SetupDeps, connector: Connector): Promise<Catalogue> {
  const connectorId = connector.id;
  const catalogue = await readCatalogue(connector, deps.autotaskSession(connector), deps.rmmSession(connector));
  await deps.store.catalogues.put(catalogue);
  await deps.store.connectors.recordProblems(connectorId, validateMappings(connector.mappings, catalogue, rmmAdapter(connector.rmm.kind), { complete: false }));
  return catalogue;
}

/** The wizard's options (active values only) and suggestions; the first call reads the catalogue. */
export async function setupView(deps: SetupDeps, connectorId: string): Promise<SetupView | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const catalogue = await currentCatalogue(deps, connector);
  // What the connector's own page shows needs attention — missing associations, unassociated sites, a suspension — the wizard shows too.
  const problems = (await deps.store.connectors.getRedacted(connectorId))?.problems ?? connector.problems;
  return viewOf(connector, catalogue, { mappings: connector.mappings, problems });
}

export type LinkPreview =
  | { missingSecrets: string[] }
  /** `setup`: the view as it would be with this link; null when the RMM refused the link (the check says why). */
  | { check: AccountCheck; setup: SetupView | null };

/**
 * The account link step of the wizard: checks a link the operator has typed but not saved, and
 * reads what that RMM offers (its sites and statuses; the Autotask side as last read), saving
 * nothing. The link is saved only with the mappings, by `applySetup`.
 */
export async function previewLink(deps: SetupDeps, connectorId: string, draft: RmmConfig): Promise<LinkPreview | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const { rmm, missingSecrets } = resolveDraftLink(connector, draft);
  if (missingSecrets.length > 0) return { missingSecrets };
  const linked: Connector = { ...connector, rmm };
  const check = await checkConnectorAccounts(deps, linked);
  if (!check.rmm.ok) return { check, setup: null };
  const catalogue = await catalogueForLink(deps, linked);
  const sameRmm = connector.rmm.kind === rmm.kind;
  // Associations of another RMM mean nothing to this one: what would be kept is the queue and the work type.
  const mappings = sameRmm ? connector.mappings : { ...connector.mappings, profiles: [], statuses: [], reverseStatuses: [], severities: [] };
  return { check, setup: viewOf(linked, catalogue, { mappings, problems: sameRmm ? connector.problems : [] }) };
}

function viewOf(connector: Connector, catalogue: Catalogue, saved: { mappings: Mappings; problems: MappingProblem[] }): SetupView {
  const connectorId = connector.id;
  const adapter = rmmAdapter(connector.rmm.kind);
  const options = <Id extends number | string>(values: CatalogueValue<Id>[]) =>
    activeOnly(values).map(({ id, label }) => ({ id, label }));
  return {
    connectorId,
    name: connector.name,
    rmm: { kind: adapter.kind, vocabulary: adapter.vocabulary, webhook: { path: adapter.webhook.path(connectorId), templates: adapter.webhook.templates } },
    options: {
      profiles: catalogue.rmm.sites.map(({ id, label, autotaskCompanyId }) => ({ id, label, autotaskCompanyId: autotaskCompanyId ?? null })),
      companies: options(catalogue.autotask.companies),
      queues: options(catalogue.autotask.queues),
      rmmStatuses: catalogue.rmm.statuses.map((status) => ({ id: status, label: status })),
      pcsmStatuses: catalogue.rmm.statuses.map((status) => ({ id: status, label: status })),
      rmmSeverities: adapter.severities.all.map((value) => ({ id: value, label: String(value) })),
      autotaskStatuses: options(catalogue.autotask.statuses),
      priorities: options(catalogue.autotask.priorities),
      allocationCodes: options(catalogue.autotask.allocationCodes),
    },
    suggested: suggestMappings(catalogue, adapter),
    current: { mappings: saved.mappings, newProfilePolicy: connector.newProfilePolicy },
    catalogueReadAt: new Date(catalogue.readAt).toISOString(),
    catalogueCalls: catalogue.calls,
    status: saved.problems.length > 0 ? 'needs-attention' : 'ok',
    problems: saved.problems,
  };
}

export type ApplyOutcome = { saved: true } | { saved: false; problems: MappingProblem[] } | null;

/**
 * Validates every mapping against the stored catalogue and, only when all are valid, replaces the
 * mappings in one document write. Nothing else is ever saved by the setup.
 */
export async function applySetup(deps: SetupDeps, connectorId: string, body: z.infer<typeof setupApplySchema>): Promise<ApplyOutcome> {
  const judged = await judgeSetup(deps, connectorId, body);
  if (!judged) return null;
  if (judged.problems.length > 0) return { saved: false, problems: judged.problems };
  const { connector, link, catalogue } = judged;
  await deps.store.connectors.replaceMappings(
    connectorId,
    body.mappings,
    body.newProfilePolicy ?? connector.newProfilePolicy,
    [],
    link ? { rmm: link, replaces: connector.rmm.kind } : undefined,
  );
  // The lists the new link offers are the ones its mappings were checked against.
  if (link) await deps.store.catalogues.put(catalogue);
  return { saved: true };
}

/** What apply would refuse, without saving anything (a wizard may check a step before the end). */
export async function validateSetup(
  deps: SetupDeps,
  connectorId: string,
  body: z.infer<typeof setupApplySchema>,
): Promise<MappingProblem[] | null> {
  return (await judgeSetup(deps, connectorId, body))?.problems ?? null;
}

/** The mappings judged against the catalogue of the link they go with: the saved one, or the new one in the body (read now). */
async function judgeSetup(deps: SetupDeps, connectorId: string, body: z.infer<typeof setupApplySchema>) {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  if (!body.rmm) {
    const catalogue = await currentCatalogue(deps, connector);
    return { connector, link: null, catalogue, problems: validateMappings(body.mappings, catalogue, rmmAdapter(connector.rmm.kind), { complete: true }) };
  }
  const { rmm, missingSecrets } = resolveDraftLink(connector, body.rmm);
  if (missingSecrets.length > 0) return { connector, link: null, catalogue: null, problems: missingSecretProblems(missingSecrets) };
  const linked: Connector = { ...connector, rmm };
  const catalogue = await catalogueForLink(deps, linked);
  return { connector, link: rmm, catalogue, problems: validateMappings(body.mappings, catalogue, rmmAdapter(rmm.kind), { complete: true }) };
}

/** The catalogue as it would be with this link: the RMM's side read now through it, the Autotask side as last read. */
async function catalogueForLink(deps: SetupDeps, linked: Connector): Promise<Catalogue> {
  const stored = await deps.store.catalogues.get(linked.id);
  if (!stored) return readCatalogue(linked, deps.autotaskSession(linked), deps.rmmSession(linked));
  const session = deps.rmmSession(linked);
  const before = session.requestCount;
  const rmm = await readRmmSide(linked.rmm.kind, session);
  return { ...stored, rmm, calls: { autotask: 0, rmm: session.requestCount - before } };
}

/** The stored catalogue, unless it was read for another RMM (the connector's `rmm.kind` changed): then a fresh one. */
async function currentCatalogue(deps: SetupDeps, connector: Connector): Promise<Catalogue> {
  const stored = await deps.store.catalogues.get(connector.id);
  if (stored && stored.rmm?.kind === connector.rmm.kind) return stored;
  return refreshCatalogueOf(deps, connector);
}

export async function checkConnectorAccounts(deps: SetupDeps, connector: Connector): Promise<AccountCheck> {
  return checkAccountLink({
    autotaskUsername: connector.autotask.username,
    autotask: deps.autotaskSession(connector),
    rmm: deps.rmmSession(connector),
    rmmKind: connector.rmm.kind,
  });
}

import { z } from 'zod';
import type { AutotaskSession } from '../autotask/types';
import {
  acceptEarlierMappings,
  mappingsSchema,
  newProfilePolicySchema,
  type Connector,
  type MappingProblem,
  type Mappings,
  type NewProfilePolicy,
} from '../connector/configuration';
import type { RmmVocabulary } from '../rmm/adapter';
import { rmmAdapter, type RmmConfig } from '../rmm/registry';
import type { RmmSession } from '../rmm/session';
import type { RmmKind, RmmSeverity } from '../rmm/types';
import type { Store } from '../store';
import { checkAccountLink, type AccountCheck } from './account-check';
import { activeOnly, type Catalogue, type CatalogueValue } from './catalogue';
import { readCatalogue } from './read-catalogue';
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
  rmm: { kind: RmmKind; vocabulary: RmmVocabulary };
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

/** Body of `POST /api/v1/connectors/{id}/setup`: the only call that saves what the wizard chose. */
export const setupApplySchema = z
  .object({ mappings: mappingsSchema, newProfilePolicy: newProfilePolicySchema.optional() })
  .strict();

/** The setup body in any accepted form (mapping rows may name their RMM side `pcsm`, the contract's first form). */
export function parseSetupBody(body: unknown) {
  const earlier = body && typeof body === 'object' && !Array.isArray(body) ? { ...body, mappings: acceptEarlierMappings((body as { mappings?: unknown }).mappings) } : body;
  return setupApplySchema.safeParse(earlier);
}

/** Reads both catalogues now, stores them, and re-checks the saved mappings against them. */
export async function refreshCatalogue(deps: SetupDeps, connectorId: string): Promise<Catalogue | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const catalogue = await readCatalogue(connector, deps.autotaskSession(connector), deps.rmmSession(connector));
  await deps.store.catalogues.put(catalogue);
  await deps.store.connectors.recordProblems(connectorId, validateMappings(connector.mappings, catalogue, rmmAdapter(connector.rmm.kind), { complete: false }));
  return catalogue;
}

/** The wizard's options (active values only) and suggestions; the first call reads the catalogue. */
export async function setupView(deps: SetupDeps, connectorId: string): Promise<SetupView | null> {
  const catalogue = await currentCatalogue(deps, connectorId);
  const connector = await deps.store.connectors.get(connectorId);
  if (!catalogue || !connector) return null;
  const adapter = rmmAdapter(connector.rmm.kind);
  const options = <Id extends number | string>(values: CatalogueValue<Id>[]) =>
    activeOnly(values).map(({ id, label }) => ({ id, label }));
  return {
    connectorId,
    name: connector.name,
    rmm: { kind: adapter.kind, vocabulary: adapter.vocabulary },
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
    current: { mappings: connector.mappings, newProfilePolicy: connector.newProfilePolicy },
    catalogueReadAt: new Date(catalogue.readAt).toISOString(),
    catalogueCalls: catalogue.calls,
    status: connector.problems.length > 0 ? 'needs-attention' : 'ok',
    problems: connector.problems,
  };
}

export type ApplyOutcome = { saved: true } | { saved: false; problems: MappingProblem[] } | null;

/**
 * Validates every mapping against the stored catalogue and, only when all are valid, replaces the
 * mappings in one document write. Nothing else is ever saved by the setup.
 */
export async function applySetup(deps: SetupDeps, connectorId: string, body: z.infer<typeof setupApplySchema>): Promise<ApplyOutcome> {
  const connector = await deps.store.connectors.get(connectorId);
  const problems = connector ? await validateSetup(deps, connectorId, body) : null;
  if (!connector || !problems) return null;
  if (problems.length > 0) return { saved: false, problems };
  await deps.store.connectors.replaceMappings(connectorId, body.mappings, body.newProfilePolicy ?? connector.newProfilePolicy, []);
  return { saved: true };
}

/** What apply would refuse, without saving anything (a wizard may check a step before the end). */
export async function validateSetup(
  deps: SetupDeps,
  connectorId: string,
  body: z.infer<typeof setupApplySchema>,
): Promise<MappingProblem[] | null> {
  const catalogue = await currentCatalogue(deps, connectorId);
  const connector = catalogue ? await deps.store.connectors.get(connectorId) : null;
  return catalogue && connector ? validateMappings(body.mappings, catalogue, rmmAdapter(connector.rmm.kind), { complete: true }) : null;
}

/** The stored catalogue, unless it was read for another RMM (the connector's `rmm.kind` changed): then a fresh one. */
async function currentCatalogue(deps: SetupDeps, connectorId: string): Promise<Catalogue | null> {
  const stored = await deps.store.catalogues.get(connectorId);
  const connector = stored ? await deps.store.connectors.get(connectorId) : null;
  if (stored && connector && stored.rmm?.kind === connector.rmm.kind) return stored;
  return refreshCatalogue(deps, connectorId);
}

export async function checkConnectorAccounts(deps: SetupDeps, connector: Connector): Promise<AccountCheck> {
  return checkAccountLink({
    autotaskUsername: connector.autotask.username,
    autotask: deps.autotaskSession(connector),
    rmm: deps.rmmSession(connector),
    rmmKind: connector.rmm.kind,
  });
}

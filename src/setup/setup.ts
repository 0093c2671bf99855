import { z } from 'zod';
import type { AutotaskSession } from '../autotask/types';
import {
  mappingsSchema,
  newProfilePolicySchema,
  type Connector,
  type MappingProblem,
  type Mappings,
  type NewProfilePolicy,
} from '../connector/configuration';
import type { PcsmSession } from '../pcsm/types';
import type { Store } from '../store';
import { checkAccountLink, type AccountCheck } from './account-check';
import { activeOnly, type Catalogue, type CatalogueValue } from './catalogue';
import { readCatalogue } from './read-catalogue';
import { suggestMappings, type Suggestions } from './suggest';
import { validateMappings } from './validate-mappings';

export interface SetupDeps {
  store: Store;
  autotaskSession(connector: Pick<Connector, 'id' | 'autotask'>): AutotaskSession;
  pcsmSession(connector: Pick<Connector, 'id' | 'pcsm'>): PcsmSession;
}

type Option<Id> = { id: Id; label: string };

export interface SetupView {
  connectorId: string;
  name: string;
  options: {
    profiles: Option<string>[];
    companies: Option<number>[];
    queues: Option<number>[];
    pcsmStatuses: Option<string>[];
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

/** Reads both catalogues now, stores them, and re-checks the saved mappings against them. */
export async function refreshCatalogue(deps: SetupDeps, connectorId: string): Promise<Catalogue | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const catalogue = await readCatalogue(connector, deps.autotaskSession(connector), deps.pcsmSession(connector));
  await deps.store.catalogues.put(catalogue);
  await deps.store.connectors.recordProblems(connectorId, validateMappings(connector.mappings, catalogue, { complete: false }));
  return catalogue;
}

/** The wizard's options (active values only) and suggestions; the first call reads the catalogue. */
export async function setupView(deps: SetupDeps, connectorId: string): Promise<SetupView | null> {
  let catalogue = await deps.store.catalogues.get(connectorId);
  if (!catalogue) catalogue = await refreshCatalogue(deps, connectorId);
  const connector = await deps.store.connectors.get(connectorId);
  if (!catalogue || !connector) return null;
  const options = <Id extends number | string>(values: CatalogueValue<Id>[]) =>
    activeOnly(values).map(({ id, label }) => ({ id, label }));
  return {
    connectorId,
    name: connector.name,
    options: {
      profiles: options(catalogue.pcsm.profiles),
      companies: options(catalogue.autotask.companies),
      queues: options(catalogue.autotask.queues),
      pcsmStatuses: catalogue.pcsm.statuses.map((status) => ({ id: status, label: status })),
      autotaskStatuses: options(catalogue.autotask.statuses),
      priorities: options(catalogue.autotask.priorities),
      allocationCodes: options(catalogue.autotask.allocationCodes),
    },
    suggested: suggestMappings(catalogue),
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
  const catalogue = (await deps.store.catalogues.get(connectorId)) ?? (await refreshCatalogue(deps, connectorId));
  return catalogue ? validateMappings(body.mappings, catalogue, { complete: true }) : null;
}

export async function checkConnectorAccounts(deps: SetupDeps, connector: Connector): Promise<AccountCheck> {
  return checkAccountLink({
    autotaskUsername: connector.autotask.username,
    autotask: deps.autotaskSession(connector),
    pcsm: deps.pcsmSession(connector),
  });
}

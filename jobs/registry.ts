import { autotaskTicketChanged } from './autotask-ticket-changed';
import { catalogueRefresh } from './catalogue-refresh';
import { credentialsCheck } from './credentials-check';
import type { JobDefinition } from './definition';
import { reconcileConnector } from './reconcile';
import { recurrenceNote } from './recurrence-note';
import { retryTicketsJob } from './retry-tickets';
import { earlierSiteEvent, rmmSiteEvent } from './rmm-site-event';
import { rmmTicketChanged } from './rmm-ticket-changed';
import { ticketNumbers } from './ticket-numbers';
import { ticketSync } from './ticket-sync';
import type { QueueKind } from './queues';

/** Every job the connector runs. Adding a job = a definition file + one line here. */
export const JOB_DEFINITIONS = [
  ticketSync,
  ticketNumbers,
  retryTicketsJob,
  rmmTicketChanged,
  recurrenceNote,
  rmmSiteEvent,
  earlierSiteEvent,
  autotaskTicketChanged,
  catalogueRefresh,
  reconcileConnector,
  credentialsCheck,
] as const;

type Definitions = (typeof JOB_DEFINITIONS)[number];
export type JobName = Definitions['name'];
export type JobData<N extends JobName> = Extract<Definitions, { name: N }> extends JobDefinition<N, infer D, any> ? D : never;
export type JobWhen<N extends JobName> = Extract<Definitions, { name: N }> extends JobDefinition<N, any, infer W> ? W : never;

export interface JobRegistry {
  get(name: string): JobDefinition<string, unknown, unknown> | undefined;
  /** The kinds of queue the registered jobs use. */
  queueKinds(): QueueKind[];
}

/** Fails at boot when a name is declared twice or lacks a handler, naming the culprits. */
export function buildRegistry(definitions: readonly JobDefinition<string, any, any>[] = JOB_DEFINITIONS): JobRegistry {
  const byName = new Map<string, JobDefinition<string, unknown, unknown>>();
  const problems: string[] = [];
  for (const definition of definitions) {
    if (byName.has(definition.name)) problems.push(`job "${definition.name}" is defined twice`);
    if (typeof definition.handle !== 'function') problems.push(`job "${definition.name}" has no handler`);
    byName.set(definition.name, definition as JobDefinition<string, unknown, unknown>);
  }
  if (problems.length > 0) throw new Error(`Invalid job registry: ${problems.join('; ')}`);
  return {
    get: (name) => byName.get(name),
    queueKinds: () => [...new Set([...byName.values()].map((d) => d.queue))],
  };
}

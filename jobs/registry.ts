import { autotaskTicketChanged } from './autotask-ticket-changed';
import { catalogueRefresh } from './catalogue-refresh';
import type { JobDefinition } from './definition';
import { pcsmProfileEvent } from './pcsm-profile-event';
import { pcsmTicketEvent } from './pcsm-ticket-event';
import { reconcileConnector } from './reconcile';
import type { QueueName } from './queues';

/** Every job the connector runs. Adding a job = a definition file + one line here. */
export const JOB_DEFINITIONS = [pcsmTicketEvent, pcsmProfileEvent, autotaskTicketChanged, catalogueRefresh, reconcileConnector] as const;

type Definitions = (typeof JOB_DEFINITIONS)[number];
export type JobName = Definitions['name'];
export type JobData<N extends JobName> = Extract<Definitions, { name: N }> extends JobDefinition<N, infer D> ? D : never;

export interface JobRegistry {
  get(name: string): JobDefinition | undefined;
  queues(): QueueName[];
}

/** Fails at boot when a name is declared twice or lacks a handler, naming the culprits. */
export function buildRegistry(definitions: readonly JobDefinition<string, any>[] = JOB_DEFINITIONS): JobRegistry {
  const byName = new Map<string, JobDefinition>();
  const problems: string[] = [];
  for (const definition of definitions) {
    if (byName.has(definition.name)) problems.push(`job "${definition.name}" is defined twice`);
    if (typeof definition.handle !== 'function') problems.push(`job "${definition.name}" has no handler`);
    byName.set(definition.name, definition as JobDefinition);
  }
  if (problems.length > 0) throw new Error(`Invalid job registry: ${problems.join('; ')}`);
  return {
    get: (name) => byName.get(name),
    queues: () => [...new Set([...byName.values()].map((d) => d.queue))],
  };
}

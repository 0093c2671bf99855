import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../src/logger';
import type { SetupDeps } from '../src/setup/setup';
import type { AutotaskTicketSync } from '../src/sync/autotask-ticket-sync';
import type { ProfileSync } from '../src/sync/profile-sync';
import type { ReconcileDeps } from '../src/sync/reconcile';
import type { Store } from '../src/store';
import type { TicketSync } from '../src/sync/ticket-sync';
import type { QueueName } from './queues';

/** What a handler may use; built once by the worker's composition root. */
export interface JobDeps {
  store: Store;
  ticketSync: TicketSync;
  autotaskTicketSync: AutotaskTicketSync;
  profileSync: ProfileSync;
  setup: SetupDeps;
  reconcile: ReconcileDeps;
}

export interface JobContext {
  deps: JobDeps;
  log: Logger;
  jobId: string;
  attempt: number;
}

/** One job: its name, payload schema, every BullMQ option it is added with, and its handler. */
export interface JobDefinition<Name extends string = string, Data = unknown> {
  name: Name;
  queue: QueueName;
  schema: z.ZodType<Data>;
  options(data: Data): JobsOptions;
  /** Fields that identify the job in logs (connectorId, eventId, …). */
  logContext(data: Data): Record<string, string>;
  handle(data: Data, context: JobContext): Promise<unknown>;
}

export function defineJob<Name extends string, Data>(definition: JobDefinition<Name, Data>): JobDefinition<Name, Data> {
  return definition;
}

/**
 * BullMQ custom ids may not contain ':' and may not be all digits; a readable id helps operators
 * in Bull Board, a hash keeps arbitrary sender ids safe.
 */
export function safeJobId(...parts: string[]): string {
  const readable = parts.join('.');
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(readable) && !/^\d+$/.test(readable)) return readable;
  return `h${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}

/** Bounded history: enough to inspect recent work in Bull Board without growing Redis forever. */
export const RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

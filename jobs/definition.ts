import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { Outcome } from '../src/failure/outcome';
import type { Logger } from '../src/logger';
import type { JobDeps } from './deps';
import type { QueueKind } from './queues';

export type { JobDeps } from './deps';

export interface JobContext {
  deps: JobDeps;
  log: Logger;
  jobId: string;
  attempt: number;
  /** Puts the job back until `runAt` (ms) without holding a worker slot or spending an attempt. */
  defer(runAt: number): Promise<never>;
}

/** What the one failure policy decided for a run, handed to the job's bookkeeping. */
export type DecidedFailure =
  | { kind: 'retry'; reason: string; nextAttemptAt: Date; scope: 'job' | 'call' | 'connector' }
  | { kind: 'wait-for-change'; reason: string }
  | { kind: 'stop-connector'; reason: string };

/** One job: its name, payload schema, every BullMQ option it is added with, and its handler. */
export interface JobDefinition<Name extends string = string, Data = unknown, When = never> {
  name: Name;
  /** Which queue: the connector's own (`data.connectorId`) or the global one. */
  queue: QueueKind;
  /**
   * Whether the job spends the connector's Autotask budget (default: every connector-queue job
   * does). A job that does waits, by its rank, when the hour is full (src/autotask/budget.ts).
   */
  spendsAutotaskBudget?: boolean;
  schema: z.ZodType<Data>;
  /** Every option the job is added with; `when` carries what the caller decided (a delay, a rank). */
  options(data: Data, when?: When): JobsOptions;
  /** Fields that identify the job in logs (connectorId, eventId, …). */
  logContext(data: Data): Record<string, string>;
  handle(data: Data, context: JobContext): Promise<unknown>;
  /**
   * Bookkeeping after the failure policy decided (workers/job-processor.ts): what operators see of
   * the failure. It never changes the decision.
   */
  recordFailure?(data: Data, failure: DecidedFailure, context: JobContext): Promise<void>;
}

export function defineJob<Name extends string, Data, When = never>(definition: JobDefinition<Name, Data, When>): JobDefinition<Name, Data, When> {
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

/**
 * Transient failures are retried for as long as it takes: the backoff grows to RETRY_CAP_MS, so
 * this many attempts last about a week before a job gives up (the overdue sweep re-adds its ticket).
 */
export const ATTEMPTS_UNTIL_IT_WORKS = 2_000;
export const RETRY_BASE_MS = 2_000;
export const RETRY_CAP_MS = 5 * 60_000;

/** Exponential backoff with ±25 % jitter, capped. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** What the failure policy's outcome means for a job's bookkeeping. */
export function decidedFailure(outcome: Outcome, nextAttemptAt: Date): DecidedFailure {
  if (outcome.kind === 'retry') return { kind: 'retry', reason: outcome.reason, nextAttemptAt, scope: outcome.scope };
  return { kind: outcome.kind, reason: outcome.reason };
}

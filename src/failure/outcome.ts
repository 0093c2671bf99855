/**
 * What a failure means for the work that met it. Each error class says once, where the answer was
 * read (src/autotask/classify.ts, src/pcsm/classify.ts, the sync code), which kind of failure it is;
 * `decide` turns that into the one outcome every job obeys (workers/job-processor.ts).
 */
import type { RmmKind } from '../rmm/types';

export type FailureKind =
  /** A timeout, a 5xx, an outage: the same call may well succeed later. */
  | 'transient'
  /** The other system asked us to slow down (429, thread limit); `retryAfterMs` says for how long. */
  | 'rate-limited'
  /** The other system refused this data: only a change (newer RMM state, configuration, catalogue, a fix on the other side) cures it. */
  | 'refused'
  /** The credentials were refused: nothing of this connector's can succeed until they are fixed. */
  | 'credentials';

export type ConnectedSystem = 'autotask' | RmmKind;

/** Implemented by every error the connector's own code throws about another system or the data. */
export interface ClassifiedFailure {
  readonly failure: FailureKind;
  /** For `rate-limited` and scheduled retries: how long to wait. */
  readonly retryAfterMs?: number;
  /**
   * For `rate-limited`: whether the limit holds every call of the connector (Autotask's hourly
   * threshold, PCSM's rate limit) or only calls of one kind (Autotask's thread limit; Datto RMM's
   * account limits, which hold that RMM's calls and none of Autotask's).
   */
  readonly limitScope?: 'connector' | 'call';
  readonly system?: ConnectedSystem;
}

export type Outcome =
  /**
   * Run the job again after `afterMs` (null: the job's own backoff). `connector`: hold every job of
   * the connector that long; `call`: only this job waits, and waiting spends none of its attempts
   * (a limit of one kind of call: the connector's other work goes on).
   */
  | { kind: 'retry'; reason: string; afterMs: number | null; scope: 'job' | 'call' | 'connector' }
  /** Stop retrying this work until something relevant changes; reconciliation retries it after a cool-down. */
  | { kind: 'wait-for-change'; reason: string }
  /** The connector needs attention: its work waits (does not fail) until the credentials work again. */
  | { kind: 'stop-connector'; reason: string; system: ConnectedSystem };

export function isClassified(error: unknown): error is Error & ClassifiedFailure {
  return error instanceof Error && typeof (error as Partial<ClassifiedFailure>).failure === 'string';
}

/** The one decision: error → outcome. Anything unclassified (a bug, a store outage) is retried with backoff. */
export function decide(error: unknown): Outcome {
  const reason = error instanceof Error ? error.message : String(error);
  if (!isClassified(error)) return { kind: 'retry', reason, afterMs: null, scope: 'job' };
  switch (error.failure) {
    case 'transient':
      return { kind: 'retry', reason, afterMs: error.retryAfterMs ?? null, scope: 'job' };
    case 'rate-limited':
      return { kind: 'retry', reason, afterMs: error.retryAfterMs ?? null, scope: error.limitScope === 'call' ? 'call' : 'connector' };
    case 'refused':
      return { kind: 'wait-for-change', reason };
    case 'credentials':
      return { kind: 'stop-connector', reason, system: error.system ?? 'autotask' };
  }
}

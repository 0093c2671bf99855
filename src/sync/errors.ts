import type { ClassifiedFailure } from '../failure/outcome';

/**
 * The sync code's own failures, in the same vocabulary as the clients' (src/failure/outcome.ts):
 * the job layer decides what to do from `failure`, never from the class.
 */

/** The data cannot be sent as it stands (a missing association, a mapping in drift): a change must come first. */
export class SyncRefusedError extends Error implements ClassifiedFailure {
  readonly failure = 'refused' as const;
  constructor(reason: string) {
    super(reason);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Not now, but soon: another run holds the ticket, or a create of unknown outcome is still settling. */
export class RetryLaterError extends Error implements ClassifiedFailure {
  readonly failure = 'transient' as const;
  constructor(readonly retryAfterMs: number, reason: string) {
    super(reason);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

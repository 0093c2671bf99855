/**
 * How a sync step tells the job layer what to do next. The job layer maps these onto BullMQ
 * (delayed retry without spending an attempt, or an unrecoverable failure).
 */
export class RetryLaterError extends Error {
  constructor(readonly delayMs: number, reason: string) {
    super(reason);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Trying again cannot help until someone changes the configuration or the data. */
export class PermanentSyncError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * The few ways an Autotask call can fail, decided once where the response is read.
 * `retryable` tells the job layer whether trying again later can help.
 */
export abstract class AutotaskError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** HTTP 429 or the thread-threshold rejection (Itgenatr005, any status): wait `retryAfterMs`, then try again. */
export class AutotaskRateLimitedError extends AutotaskError {
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** Network failure, timeout or a 5xx without an `errors` body on a call that is safe to repeat. */
export class AutotaskUnavailableError extends AutotaskError {
  readonly retryable = true;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A create whose outcome is unknown (timeout or 5xx after the request was sent): Autotask may
 * have committed it. Never re-POST blindly: look the ticket up by externalID first.
 */
export class AutotaskOutcomeUnknownError extends AutotaskError {
  readonly retryable = true;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Autotask refused the data (`{"errors":[…]}`, usually HTTP 500): repeating the call cannot help. */
export class AutotaskBusinessRuleError extends AutotaskError {
  readonly retryable = false;
  constructor(readonly errors: string[], readonly status: number) {
    super(`Autotask rejected the request: ${errors.join('; ')}`);
  }
}

/** 401/403: wrong credentials, integration code or permissions. */
export class AutotaskAuthError extends AutotaskError {
  readonly retryable = false;
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

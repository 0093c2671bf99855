/**
 * The few ways an Autotask call can fail, decided once where the response is read (classify.ts).
 * `failure` tells the job layer what to do next (src/failure/outcome.ts).
 */
import type { ClassifiedFailure, FailureKind } from '../failure/outcome';

export abstract class AutotaskError extends Error implements ClassifiedFailure {
  abstract readonly failure: FailureKind;
  readonly system = 'autotask' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** Whether trying the same call again later can help. */
  get retryable(): boolean {
    return this.failure === 'transient' || this.failure === 'rate-limited';
  }
}

/**
 * HTTP 429 (the database's hourly threshold: every call of the connector waits) or the
 * thread-threshold rejection (Itgenatr005, any status: only calls to that endpoint wait).
 */
export class AutotaskRateLimitedError extends AutotaskError {
  readonly failure = 'rate-limited' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    readonly limitScope: 'connector' | 'call' = 'connector',
  ) {
    super(message);
  }
}

/**
 * Network failure, timeout, a 5xx without an `errors` body, or a 500 whose `errors` are not a
 * validation failure (Autotask answers its own hiccups as 500 + errors too).
 */
export class AutotaskUnavailableError extends AutotaskError {
  readonly failure = 'transient' as const;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A create whose outcome is unknown (timeout or 5xx after the request was sent): Autotask may
 * have committed it. Never re-POST blindly: look the ticket up by externalID first.
 */
export class AutotaskOutcomeUnknownError extends AutotaskError {
  readonly failure = 'transient' as const;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Autotask refused the data: a validation message naming a field or a value (`{"errors":[…]}`,
 * usually HTTP 500, or a 4xx). Repeating the same call cannot help until something changes —
 * here (newer RMM state, the configuration) or in Autotask (a company or resource reactivated).
 */
export class AutotaskBusinessRuleError extends AutotaskError {
  readonly failure = 'refused' as const;
  constructor(readonly errors: string[], readonly status: number) {
    super(`Autotask rejected the request: ${errors.join('; ')}`);
  }
}

/**
 * 401 (credentials, integration code or API username refused: the connector stops until they are
 * fixed) or 403 / a permission message (this call is not allowed to the API user: a refusal).
 */
export class AutotaskAuthError extends AutotaskError {
  constructor(
    message: string,
    readonly status: number,
    readonly failure: 'credentials' | 'refused' = status === 401 ? 'credentials' : 'refused',
  ) {
    super(message);
  }
}

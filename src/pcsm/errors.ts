/**
 * The few ways a PCSM call can fail, decided once where the response is read (classify.ts).
 * `failure` tells the job layer what to do next (src/failure/outcome.ts).
 */
import type { ClassifiedFailure, FailureKind } from '../failure/outcome';

export abstract class PcsmError extends Error implements ClassifiedFailure {
  abstract readonly failure: FailureKind;
  readonly system = 'pcsm' as const;
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

/** 401 (the API key is wrong or revoked: the connector needs attention) or 403 (this call is not allowed: a refusal). */
export class PcsmAuthError extends PcsmError {
  readonly failure: 'credentials' | 'refused';
  constructor(message: string, readonly status: number) {
    super(message);
    this.failure = status === 401 ? 'credentials' : 'refused';
  }
}

/** 404 on a call where the resource must exist (e.g. PATCH of a deleted ticket). */
export class PcsmNotFoundError extends PcsmError {
  readonly failure = 'refused' as const;
  readonly status = 404;
}

/** 429: every call of the connector to PCSM waits `retryAfterMs`. Not retried by the client: the job layer waits. */
export class PcsmRateLimitedError extends PcsmError {
  readonly failure = 'rate-limited' as const;
  readonly limitScope = 'connector' as const;
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** Network failure, timeout, 408 or 5xx: PCSM may answer later. Reads and PATCHes are retried by the client. */
export class PcsmUnavailableError extends PcsmError {
  readonly failure = 'transient' as const;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Any other 4xx: PCSM refused the request as sent (unknown status, bad body). */
export class PcsmRequestError extends PcsmError {
  readonly failure = 'refused' as const;
  constructor(
    message: string,
    readonly status: number,
    /** What PCSM said (`{ "error": … }`), secrets removed; null when it said nothing usable. */
    readonly serverMessage: string | null = null,
  ) {
    super(message);
  }
}

/** A 2xx whose body is not what the contract promises (not JSON, missing fields, wrong types). */
export class PcsmUnexpectedAnswerError extends PcsmRequestError {}

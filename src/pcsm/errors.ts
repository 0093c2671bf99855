/**
 * The few ways a PCSM call can fail, decided once where the response is read (classify.ts).
 * `retryable` tells the job layer whether trying again later can help.
 */
export abstract class PcsmError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** 401/403: the API key is wrong, revoked or lacks permission. Repeating the call cannot help. */
export class PcsmAuthError extends PcsmError {
  readonly retryable = false;
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** 404 on a call where the resource must exist (e.g. PATCH of a deleted ticket). */
export class PcsmNotFoundError extends PcsmError {
  readonly retryable = false;
  readonly status = 404;
}

/** 429: wait `retryAfterMs`, then try again. Not retried by the client: the job layer waits. */
export class PcsmRateLimitedError extends PcsmError {
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** Network failure, timeout, 408 or 5xx: PCSM may answer later. Reads and PATCHes are retried by the client. */
export class PcsmUnavailableError extends PcsmError {
  readonly retryable = true;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Any other 4xx: PCSM refused the request as sent (unknown status, bad body). Permanent. */
export class PcsmRequestError extends PcsmError {
  readonly retryable = false;
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

/**
 * The few ways a call to an RMM's API can fail, decided once where the answer is read (each
 * system's classify.ts). One hierarchy serves every RMM: `system` says which one answered,
 * `failure` tells the job layer what to do next (src/failure/outcome.ts).
 */
import type { ClassifiedFailure, FailureKind } from '../failure/outcome';

export type RemoteSystem = 'pcsm' | 'datto-rmm';

/** How an error's `name` starts for each system, so a log line says who answered: `DattoRmmRateLimitedError`. */
const NAME_PREFIX: Record<RemoteSystem, string> = { pcsm: 'Pcsm', 'datto-rmm': 'DattoRmm' };

export abstract class RemoteError extends Error implements ClassifiedFailure {
  abstract readonly failure: FailureKind;

  constructor(
    readonly system: RemoteSystem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = `${NAME_PREFIX[system]}${new.target.name.replace(/^Remote/, '')}`;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** Whether trying the same call again later can help. */
  get retryable(): boolean {
    return this.failure === 'transient' || this.failure === 'rate-limited';
  }
}

/**
 * The credentials were refused (401, or a token endpoint turning the key and secret down): the
 * connector needs attention. A 403 of the API refuses only this call (the user lacks the permission).
 */
export class RemoteAuthError extends RemoteError {
  constructor(
    system: RemoteSystem,
    message: string,
    readonly status: number,
    readonly failure: 'credentials' | 'refused' = status === 403 ? 'refused' : 'credentials',
  ) {
    super(system, message);
  }
}

/** 404 on a call where the resource must exist (e.g. changing a deleted ticket). */
export class RemoteNotFoundError extends RemoteError {
  readonly failure = 'refused' as const;
  readonly status = 404;
}

/** The system asked us to slow down: every call of the connector waits `retryAfterMs`. Not retried by the client: the job layer waits. */
export class RemoteRateLimitedError extends RemoteError {
  readonly failure = 'rate-limited' as const;
  /** `connector`: every job of the connector waits (PCSM); `call`: only the jobs that call this system do (Datto RMM). */
  constructor(system: RemoteSystem, message: string, readonly retryAfterMs: number, readonly limitScope: 'connector' | 'call' = 'connector') {
    super(system, message);
  }
}

/** Network failure, timeout, 408 or 5xx: the system may answer later. The clients retry these themselves first. */
export class RemoteUnavailableError extends RemoteError {
  readonly failure = 'transient' as const;
  constructor(system: RemoteSystem, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(system, message, options);
  }
}

/** Any other 4xx: the system refused the request as sent. */
export class RemoteRequestError extends RemoteError {
  readonly failure = 'refused' as const;
  constructor(
    system: RemoteSystem,
    message: string,
    readonly status: number,
    /** What the system said, secrets removed; null when it said nothing usable. */
    readonly serverMessage: string | null = null,
  ) {
    super(system, message);
  }
}

/** A 2xx whose body is not what the API promises (not JSON, missing fields, wrong types), or a paging link that cannot be followed. */
export class RemoteUnexpectedAnswerError extends RemoteRequestError {}

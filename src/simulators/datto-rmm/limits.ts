/**
 * Datto RMM's request limits (facts §1.3): rolling 60-second windows counted per account — reads
 * (600), writes (600) and, inside the write budget, per operation (`alert-resolve` 100) — with a
 * one-second delay beyond 90 % of the read budget, 429 + `Retry-After` past a limit, and a
 * temporary block of the caller's IP (403 on everything) for a client that keeps calling while refused.
 */

export const WINDOW_MS = 60_000;
export const CUT_OFF_RATIO = 0.9;

export interface RateLimitSettings {
  /** Reads per rolling 60 s for the whole account (Datto: 600). */
  accountLimitPerMinute: number;
  /** Writes per rolling 60 s for the whole account (Datto: 600). */
  writeLimitPerMinute: number;
  /** `POST /v2/alert/{uid}/resolve` per rolling 60 s (Datto: 100). */
  alertResolveLimitPerMinute: number;
  /** Added to each read once more than 90 % of the read budget is used (Datto: 1,000 ms). */
  cutOffDelayMs: number;
  /** 429 answers one IP may receive within 60 s; the next refused call blocks it. */
  blockAfter429s: number;
  /** How long a blocked IP is answered 403 (Datto: about 5 minutes). */
  blockMs: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimitSettings> = Object.freeze({
  accountLimitPerMinute: 600,
  writeLimitPerMinute: 600,
  alertResolveLimitPerMinute: 100,
  cutOffDelayMs: 0,
  blockAfter429s: 10,
  blockMs: 5 * 60_000,
});

/** Write operations `GET /v2/system/request_rate` reports, with their budgets (pncit, JUICT [MEASURED]). */
const OPERATION_LIMITS: Readonly<Record<string, number>> = {
  'site-create': 100,
  'site-update': 100,
  'site-variable-create': 100,
  'site-variable-update': 100,
  'device-move': 100,
  'device-udf-set': 600,
  'alert-resolve': 100,
};

export type AdmitDecision =
  | { admitted: true; delayMs: number }
  | { admitted: false; status: 429; retryAfterSeconds: number }
  | { admitted: false; status: 403 };

export interface RateStatusResponse {
  slidingTimeWindowSizeSeconds: number;
  accountUid: string;
  accountCount: number;
  accountRateLimit: number;
  accountCutOffRatio: number;
  accountWriteRateLimit: number;
  accountWriteCount: number;
  operationWriteStatus: Record<string, { limit: number; count: number }>;
}

/** Request times within the last 60 s. */
class SlidingWindow {
  private readonly stamps: number[] = [];

  count(now: number): number {
    this.prune(now);
    return this.stamps.length;
  }

  /** Seconds until one more request fits, or 0 when it fits now. */
  waitSeconds(limit: number, now: number): number {
    this.prune(now);
    if (this.stamps.length < limit) return 0;
    const oldest = this.stamps[this.stamps.length - limit] ?? now;
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
  }

  record(now: number): void {
    this.stamps.push(now);
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.stamps.length && (this.stamps[drop] ?? now) <= now - WINDOW_MS) drop += 1;
    if (drop > 0) this.stamps.splice(0, drop);
  }
}

export class RateLimits {
  settings: RateLimitSettings;
  private reads = new SlidingWindow();
  private writes = new SlidingWindow();
  private operations = new Map<string, SlidingWindow>();
  private refusals = new Map<string, SlidingWindow>();
  private blocked = new Map<string, number>();

  constructor(
    settings: Partial<RateLimitSettings> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = { ...DEFAULT_RATE_LIMITS, ...settings };
  }

  isBlocked(ip: string): boolean {
    const until = this.blocked.get(ip);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.blocked.delete(ip);
    return false;
  }

  /** Counts one authenticated call, or refuses it (429, or 403 and a block for a caller that keeps going). */
  admit(ip: string, call: { operation: string | null }): AdmitDecision {
    const now = this.now();
    const windows = call.operation === null ? [{ window: this.reads, limit: this.settings.accountLimitPerMinute }] : this.writeWindows(call.operation);
    const wait = Math.max(...windows.map(({ window, limit }) => window.waitSeconds(limit, now)));
    if (wait > 0) return this.refuse(ip, wait, now);
    for (const { window } of windows) window.record(now);
    const reads = this.reads.count(now);
    const overCutOff = call.operation === null && reads > CUT_OFF_RATIO * this.settings.accountLimitPerMinute;
    return { admitted: true, delayMs: overCutOff ? this.settings.cutOffDelayMs : 0 };
  }

  status(accountUid: string): RateStatusResponse {
    const now = this.now();
    const operationWriteStatus: Record<string, { limit: number; count: number }> = {};
    for (const [operation, limit] of Object.entries(OPERATION_LIMITS)) {
      operationWriteStatus[operation] = { limit: this.operationLimit(operation, limit), count: this.operations.get(operation)?.count(now) ?? 0 };
    }
    return {
      slidingTimeWindowSizeSeconds: WINDOW_MS / 1000,
      accountUid,
      accountCount: this.reads.count(now),
      accountRateLimit: this.settings.accountLimitPerMinute,
      accountCutOffRatio: CUT_OFF_RATIO,
      accountWriteRateLimit: this.settings.writeLimitPerMinute,
      accountWriteCount: this.writes.count(now),
      operationWriteStatus,
    };
  }

  set(settings: Partial<RateLimitSettings>): void {
    for (const [name, value] of Object.entries(settings)) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
    }
    this.settings = { ...this.settings, ...settings };
  }

  unblock(): void {
    this.blocked.clear();
    this.refusals.clear();
  }

  /** Empty windows, no blocks; the settings stay. */
  reset(): void {
    this.reads = new SlidingWindow();
    this.writes = new SlidingWindow();
    this.operations = new Map();
    this.unblock();
  }

  private writeWindows(operation: string): Array<{ window: SlidingWindow; limit: number }> {
    let window = this.operations.get(operation);
    if (!window) {
      window = new SlidingWindow();
      this.operations.set(operation, window);
    }
    return [
      { window: this.writes, limit: this.settings.writeLimitPerMinute },
      { window, limit: this.operationLimit(operation, OPERATION_LIMITS[operation] ?? 100) },
    ];
  }

  private operationLimit(operation: string, fallback: number): number {
    return operation === 'alert-resolve' ? this.settings.alertResolveLimitPerMinute : fallback;
  }

  private refuse(ip: string, retryAfterSeconds: number, now: number): AdmitDecision {
    let refusals = this.refusals.get(ip);
    if (!refusals) {
      refusals = new SlidingWindow();
      this.refusals.set(ip, refusals);
    }
    if (refusals.count(now) >= this.settings.blockAfter429s) {
      this.blocked.set(ip, now + this.settings.blockMs);
      this.refusals.delete(ip);
      return { admitted: false, status: 403 };
    }
    refusals.record(now);
    return { admitted: false, status: 429, retryAfterSeconds };
  }
}

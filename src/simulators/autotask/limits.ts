/**
 * Autotask's two request limits: a rolling 60-minute request threshold per database,
 * with latency injected from 50 % and 75 % of it and refusals at 100 %, and at most 3 concurrent
 * requests per (integration code + entity endpoint).
 */

export const HOUR_MS = 60 * 60 * 1000;

export interface ThresholdOptions {
  limit: number;
  latencyAtHalfMs: number;
  latencyAtThreeQuartersMs: number;
  now?: () => number;
}

export type ThresholdDecision =
  | { allowed: true; latencyMs: number }
  | { allowed: false; retryAfterSeconds: number };

export class HourlyThreshold {
  private limit: number;
  private readonly stamps: number[] = [];
  private readonly now: () => number;

  constructor(private readonly options: ThresholdOptions) {
    this.limit = options.limit;
    this.now = options.now ?? Date.now;
  }

  /** Counts one request, or refuses it when the window is full. */
  admit(): ThresholdDecision {
    const now = this.now();
    this.prune(now);
    if (this.stamps.length >= this.limit) {
      const oldest = this.stamps[0] ?? now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + HOUR_MS - now) / 1000)) };
    }
    this.stamps.push(now);
    const used = this.stamps.length / this.limit;
    const latencyMs = used >= 0.75 ? this.options.latencyAtThreeQuartersMs : used >= 0.5 ? this.options.latencyAtHalfMs : 0;
    return { allowed: true, latencyMs };
  }

  /** Sets the allotment and pretends `used` requests were made just now. */
  set(limit: number, used = 0): void {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('threshold limit must be a positive integer');
    this.limit = limit;
    this.stamps.length = 0;
    const now = this.now();
    for (let i = 0; i < used; i += 1) this.stamps.push(now);
  }

  /** ThresholdStatusResultModel. */
  status(): { externalRequestThreshold: number; requestThresholdTimeframe: number; currentTimeframeRequestCount: number } {
    this.prune(this.now());
    return { externalRequestThreshold: this.limit, requestThresholdTimeframe: 60, currentTimeframeRequestCount: this.stamps.length };
  }

  reset(limit: number): void {
    this.set(limit, 0);
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.stamps.length && (this.stamps[drop] ?? now) <= now - HOUR_MS) drop += 1;
    if (drop > 0) this.stamps.splice(0, drop);
  }
}

export const THREAD_LIMIT = 3;

/** Counts requests in flight per (integration code + endpoint) and remembers the peak. */
export class ThreadCounter {
  private readonly inFlight = new Map<string, number>();
  private readonly peaks = new Map<string, number>();

  constructor(private readonly limit = THREAD_LIMIT) {}

  /** Takes a thread, or returns null when the limit is already reached. The returned release is idempotent. */
  tryAcquire(key: string): (() => void) | null {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.limit) return null;
    this.inFlight.set(key, current + 1);
    this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, current + 1));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.inFlight.get(key) ?? 1) - 1;
      if (now <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, now);
    };
  }

  /** Highest concurrency seen for keys ending in `:endpoint` (lower-cased), or over all keys. */
  peak(endpoint?: string): number {
    let max = 0;
    for (const [key, value] of this.peaks) {
      if (endpoint === undefined || key.endsWith(`:${endpoint.toLowerCase()}`)) max = Math.max(max, value);
    }
    return max;
  }

  resetPeaks(): void {
    this.peaks.clear();
  }
}

export const THREAD_THRESHOLD_MESSAGE =
  'Itgenatr005: Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been exceeded.';

import type { Redis } from 'ioredis';
import type { ThresholdInformation } from './types';

/**
 * Autotask's hourly budget, per database and shared by every process of the install: 10,000
 * requests in a rolling hour by default, shared with every other integration of the MSP; latency
 * is added from 50 % and requests are refused at 100 % (autotask-facts §4). The governor knows how
 * full the hour is — its own calls, counted in Redis by the minute, and the last
 * `ThresholdInformation` reading, which counts the others' too — and lets work of a rank spend only
 * up to that rank's share, so the last requests of the hour go to new tickets, never to a catalogue
 * refresh. A database is named by its API username: an API user belongs to one database.
 */
export interface BudgetStanding {
  database: string;
  /** Requests this hour: the last reading plus our calls since, or only our calls without a reading. */
  used: number;
  limit: number;
  /** Our own calls in the last hour. */
  own: number;
  /** When `ThresholdInformation` was last read (ms), or null. */
  readAt: number | null;
}

export type Admission = { admitted: true; standing: BudgetStanding } | { admitted: false; standing: BudgetStanding; retryAt: number; reason: string };

export interface BudgetOptions {
  prefix: string;
  /** A reading older than this is refreshed before low-ranked work (and never more often). */
  readingMaxAgeMs?: number;
  /** How long held work waits before it looks again. */
  recheckMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;
const HOUR_MINUTES = 60;
const DEFAULT_LIMIT = 10_000;
/** How long work waits for a budget reading another process is taking. */
const READING_WAIT_MS = 2_000;
/** Own calls are added up in the process and written to Redis this often (one command, not one per call). */
const FLUSH_MS = 1_000;

/**
 * KEYS: minute-bucket prefix, reading hash. ARGV: this minute.
 * → { own calls in the last hour, own calls since the reading's minute, { used, limit, at } of the reading }
 */
const STANDING = `
local now = tonumber(ARGV[1])
local reading = redis.call('HMGET', KEYS[2], 'used', 'limit', 'at')
local since = -1
if reading[3] then since = math.floor(tonumber(reading[3]) / ${MINUTE}) end
local hour, sinceReading = 0, 0
for minute = now - ${HOUR_MINUTES - 1}, now do
  local n = tonumber(redis.call('GET', KEYS[1] .. minute) or '0')
  hour = hour + n
  if since >= 0 and minute >= since then sinceReading = sinceReading + n end
end
return { hour, sinceReading, reading }
`;

export class BudgetGovernor {
  private readonly pending = new Map<string, number>();
  private readonly cached = new Map<string, { standing: BudgetStanding; at: number }>();
  private flushing: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly options: BudgetOptions,
  ) {
    this.now = options.now ?? Date.now;
    redis.defineCommand('autotaskBudgetStanding', { numberOfKeys: 2, lua: STANDING });
  }

  /** Counts calls made against a database (every one, answered or not: Autotask counts what reaches it). */
  recordCall(database: string): void {
    this.pending.set(database, (this.pending.get(database) ?? 0) + 1);
    if (!this.flushing) {
      this.flushing = setTimeout(() => void this.flush(), FLUSH_MS);
      this.flushing.unref();
    }
  }

  /** Writes the calls counted so far to Redis. */
  async flush(): Promise<void> {
    this.flushing = null;
    const minute = Math.floor(this.now() / MINUTE);
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length === 0) return;
    const multi = this.redis.multi();
    for (const [database, count] of batch) {
      multi.incrby(this.minuteKey(database, minute), count);
      multi.expire(this.minuteKey(database, minute), (HOUR_MINUTES + 2) * 60);
    }
    await multi.exec().catch(() => {
      // Redis unreachable: keep the counts for the next flush rather than lose them.
      for (const [database, count] of batch) this.pending.set(database, (this.pending.get(database) ?? 0) + count);
    });
  }

  /** Records what `ThresholdInformation` said. */
  async recordReading(database: string, reading: ThresholdInformation): Promise<void> {
    await this.flush();
    await this.redis.hset(this.readingKey(database), {
      used: reading.currentTimeframeRequestCount,
      limit: reading.externalRequestThreshold || DEFAULT_LIMIT,
      at: this.now(),
    });
    this.cached.delete(database);
  }

  /** How full the hour is now. */
  async standing(database: string): Promise<BudgetStanding> {
    const cached = this.cached.get(database);
    if (cached && this.now() - cached.at < FLUSH_MS) return cached.standing;
    const minute = Math.floor(this.now() / MINUTE);
    const [hour, sinceReading, [used, limit, at]] = await (this.redis as unknown as {
      autotaskBudgetStanding(prefix: string, reading: string, minute: number): Promise<[number, number, Array<string | null>]>;
    }).autotaskBudgetStanding(this.minutePrefix(database), this.readingKey(database), minute);
    const local = this.pending.get(database) ?? 0;
    const readAt = at === null || at === undefined ? null : Number(at);
    const fresh = readAt !== null && this.now() - readAt < HOUR_MINUTES * MINUTE;
    const standing: BudgetStanding = {
      database,
      used: (fresh ? Number(used) + sinceReading : hour) + local,
      limit: fresh && limit ? Number(limit) : DEFAULT_LIMIT,
      own: hour + local,
      readAt,
    };
    this.cached.set(database, { standing, at: this.now() });
    return standing;
  }

  /**
   * Whether work allowed `share` of the hour may spend now. `read`: how to refresh the reading
   * (one call) when it is older than a minute — low-ranked work asks for it, at most once a
   * minute per database across every process.
   */
  async admit(database: string, share: number, read?: () => Promise<ThresholdInformation>): Promise<Admission> {
    let standing = await this.standing(database);
    const maxAge = this.options.readingMaxAgeMs ?? MINUTE;
    if (read && (standing.readAt === null || this.now() - standing.readAt > maxAge)) {
      const claimed = await this.redis.set(this.readingLockKey(database), '1', 'PX', maxAge, 'NX');
      if (claimed === 'OK') {
        // The reading is a call too; the client counts it like any other.
        await this.recordReading(database, await read());
        standing = await this.standing(database);
      } else if (standing.readAt === null || this.now() - standing.readAt > HOUR_MINUTES * MINUTE) {
        // Another process is reading right now and nothing recent is known: wait for its answer
        // rather than spend on our own count alone.
        return { admitted: false, standing, retryAt: this.now() + READING_WAIT_MS, reason: 'waiting for the Autotask budget reading another process is taking' };
      }
    }
    const allowed = Math.floor(standing.limit * share);
    if (standing.used < allowed) return { admitted: true, standing };
    return {
      admitted: false,
      standing,
      retryAt: this.now() + (this.options.recheckMs ?? 5 * MINUTE),
      reason: `Autotask's hourly budget is ${standing.used} of ${standing.limit} requests; this work may use up to ${Math.round(share * 100)} %`,
    };
  }

  private minutePrefix(database: string): string {
    return `${this.options.prefix}:autotask-budget:${database}:m:`;
  }

  private minuteKey(database: string, minute: number): string {
    return `${this.minutePrefix(database)}${minute}`;
  }

  private readingKey(database: string): string {
    return `${this.options.prefix}:autotask-budget:${database}:reading`;
  }

  private readingLockKey(database: string): string {
    return `${this.options.prefix}:autotask-budget:${database}:reading-lock`;
  }
}

/** The database an Autotask connector spends from: its API user's. */
export function autotaskDatabase(username: string): string {
  return username.trim().toLowerCase();
}

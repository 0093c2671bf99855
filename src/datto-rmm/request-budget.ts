/**
 * Keeps the connector under Datto RMM's limits by itself (facts §1.3): 600 requests per rolling
 * 60 s for the whole account, shared with every other integration of the MSP, and 100 alert
 * resolves per 60 s; past them 429 + Retry-After, and a client that keeps calling is answered 403
 * and blocked for about 5 minutes. The connector must never get there.
 *
 * Shared by every process of the install through Redis, per account (Redis's own clock, so
 * replicas on different hosts agree):
 * - a sliding window of our own requests, at most `requestsPerMinute` (default 300: half the
 *   account's, the rest left to the MSP's other tools), and one of our resolves (default 50);
 * - a hold: after a 429 (its Retry-After) or the IP block (5 minutes) every call of the account
 *   waits until then;
 * - a learned limit: after a 429 the window's limit drops, for 15 minutes, to a little less than
 *   what we had sent when Datto refused (the others' share of the account was bigger than ours
 *   assumed), so the next minute does not run into the limit again;
 * - at most a few requests in flight, so a burst of concurrent jobs cannot collect many 429s
 *   (and with them the block) before the first 429 sets the hold.
 * A call that would wait longer than a short inline wait throws RemoteRateLimitedError instead (of
 * `call` scope), so the job layer puts that job back rather than holding a worker, and the
 * connector's work that does not call Datto RMM goes on.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { RemoteRateLimitedError } from '../http/remote-errors';

export const DEFAULT_REQUESTS_PER_MINUTE = 300;
export const DEFAULT_RESOLVES_PER_MINUTE = 50;
export const DEFAULT_REQUESTS_IN_FLIGHT = 3;
export const DEFAULT_INLINE_WAIT_MS = 2_000;

const WINDOW_MS = 60_000;
/** How long a limit learned from a 429 holds before the configured one is trusted again. */
const LEARNED_LIMIT_MS = 15 * 60_000;
/** What a learned limit keeps below the count that met the 429. */
const LEARNED_MARGIN = 0.1;
/** How long a job waits before trying again when the account's requests in flight stay full. */
const IN_FLIGHT_RETRY_MS = 1_000;

/**
 * KEYS: requests window, resolves window, hold, learned requests limit, learned resolves limit, in flight.
 * ARGV: window ms, requests limit, resolves limit (0: not a resolve), in-flight limit, slot ttl ms, member.
 * → { 'admitted', 0 } | { 'held' | 'requests' | 'resolves', ms until it may go } | { 'in-flight', 0 }
 */
const ADMIT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[1])
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if hold > nowMs then return { 'held', hold - nowMs } end
local function wait(key, configured, learnedKey)
  local limit = configured
  local learned = tonumber(redis.call('GET', learnedKey) or '0')
  if learned > 0 and learned < limit then limit = learned end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', nowMs - window)
  local count = redis.call('ZCARD', key)
  if count < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - nowMs)
end
local resolves = tonumber(ARGV[3])
local requestsWait = wait(KEYS[1], tonumber(ARGV[2]), KEYS[4])
if requestsWait > 0 then return { 'requests', requestsWait } end
if resolves > 0 then
  local resolvesWait = wait(KEYS[2], resolves, KEYS[5])
  if resolvesWait > 0 then return { 'resolves', resolvesWait } end
end
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', nowMs)
if redis.call('ZCARD', KEYS[6]) >= tonumber(ARGV[4]) then return { 'in-flight', 0 } end
redis.call('ZADD', KEYS[1], nowMs, ARGV[6])
redis.call('PEXPIRE', KEYS[1], window)
if resolves > 0 then
  redis.call('ZADD', KEYS[2], nowMs, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], window)
end
redis.call('ZADD', KEYS[6], nowMs + tonumber(ARGV[5]), ARGV[6])
redis.call('PEXPIRE', KEYS[6], ARGV[5])
return { 'admitted', 0 }
`;

/**
 * Datto refused a request for the rate. KEYS: the window of the refused kind, its learned limit, hold.
 * ARGV: window ms, hold ms, learned-limit ms, margin ratio. → the learned limit.
 */
const REFUSED = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs - tonumber(ARGV[1]))
local count = redis.call('ZCARD', KEYS[1])
local learned = math.max(1, count - math.max(1, math.ceil(count * tonumber(ARGV[4]))))
local before = tonumber(redis.call('GET', KEYS[2]) or '0')
if before > 0 and before < learned then learned = before end
redis.call('SET', KEYS[2], learned, 'PX', ARGV[3])
local holdMs = tonumber(ARGV[2])
local holdUntil = nowMs + holdMs
if tonumber(redis.call('GET', KEYS[3]) or '0') < holdUntil then redis.call('SET', KEYS[3], holdUntil, 'PX', holdMs) end
return learned
`;

type Verdict = ['admitted' | 'held' | 'requests' | 'resolves' | 'in-flight', number];

interface BudgetScripts {
  dattoRmmAdmit(...args: Array<string | number>): Promise<Verdict>;
  dattoRmmRefused(...args: Array<string | number>): Promise<number>;
}

export interface RequestBudgetOptions {
  /** The install's key prefix in Redis. */
  prefix: string;
  /** Alert resolves a minute per account (Datto: 100). */
  resolvesPerMinute?: number;
  /** Requests of one account in flight at once, across every process. */
  requestsInFlight?: number;
  /** Longest a call waits here before handing the wait to the job layer. */
  inlineWaitMs?: number;
  /** How long a request may hold its in-flight slot: past it, a crashed holder's slot is free again. */
  slotTtlMs: number;
}

export interface RequestKind {
  /** Counted in the resolves window too. */
  resolve: boolean;
  /** This connector's share of the account's requests a minute. */
  requestsPerMinute: number;
}

/** A request admitted: it holds an in-flight slot until released. */
export interface Admission {
  release(): void;
}

export class RequestBudget {
  private readonly scripts: BudgetScripts;
  private readonly settings: Required<RequestBudgetOptions>;

  constructor(
    private readonly redis: Redis,
    options: RequestBudgetOptions,
  ) {
    this.settings = {
      prefix: options.prefix,
      resolvesPerMinute: options.resolvesPerMinute ?? DEFAULT_RESOLVES_PER_MINUTE,
      requestsInFlight: options.requestsInFlight ?? DEFAULT_REQUESTS_IN_FLIGHT,
      inlineWaitMs: options.inlineWaitMs ?? DEFAULT_INLINE_WAIT_MS,
      slotTtlMs: options.slotTtlMs,
    };
    // EVALSHA: each script is sent once per connection, not with every call.
    redis.defineCommand('dattoRmmAdmit', { numberOfKeys: 6, lua: ADMIT });
    redis.defineCommand('dattoRmmRefused', { numberOfKeys: 3, lua: REFUSED });
    this.scripts = redis as unknown as BudgetScripts;
  }

  /** Waits, briefly, until the account has room for one more request of this kind; longer waits are thrown as RemoteRateLimitedError. */
  async admit(account: string, kind: RequestKind): Promise<Admission> {
    const keys = this.keys(account);
    const member = randomUUID();
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const [verdict, waitMs] = await this.scripts.dattoRmmAdmit(
        keys.requests,
        keys.resolves,
        keys.hold,
        keys.requestsLimit,
        keys.resolvesLimit,
        keys.inFlight,
        WINDOW_MS,
        kind.requestsPerMinute,
        kind.resolve ? this.settings.resolvesPerMinute : 0,
        this.settings.requestsInFlight,
        this.settings.slotTtlMs,
        member,
      );
      if (verdict === 'admitted') return { release: () => this.release(keys.inFlight, member) };
      // Jittered, slowly growing polls keep several processes from asking in step.
      const pause = verdict === 'in-flight' ? Math.min(25 * (1 + attempt / 4), 250) * (0.5 + Math.random()) : Number(waitMs);
      if (Date.now() - started + pause > this.settings.inlineWaitMs) throw tooLong(verdict, verdict === 'in-flight' ? IN_FLIGHT_RETRY_MS : Number(waitMs));
      await sleep(pause);
    }
  }

  /**
   * Datto answered 429 (or blocked us): every call of the account waits `holdMs`, and the limit of
   * the refused kind drops below what we had sent in the window.
   */
  async refused(account: string, kind: Pick<RequestKind, 'resolve'>, holdMs: number): Promise<void> {
    const keys = this.keys(account);
    const [window, learned] = kind.resolve ? [keys.resolves, keys.resolvesLimit] : [keys.requests, keys.requestsLimit];
    await this.scripts.dattoRmmRefused(window, learned, keys.hold, WINDOW_MS, Math.max(1, Math.ceil(holdMs)), LEARNED_LIMIT_MS, LEARNED_MARGIN);
  }

  private release(inFlight: string, member: string): void {
    // Not awaited: this connection sends it before any later admission, and the caller need not wait for it.
    this.redis.zrem(inFlight, member).catch(() => undefined);
  }

  /** The hash tag keeps an account's keys in one Redis Cluster slot, as the scripts need. */
  private keys(account: string) {
    const base = `${this.settings.prefix}:datto-rmm:{${account}}`;
    return {
      requests: `${base}:requests`,
      resolves: `${base}:resolves`,
      requestsLimit: `${base}:requests:learned-limit`,
      resolvesLimit: `${base}:resolves:learned-limit`,
      hold: `${base}:hold`,
      inFlight: `${base}:in-flight`,
    };
  }
}

function tooLong(verdict: Exclude<Verdict[0], 'admitted'>, retryAfterMs: number): RemoteRateLimitedError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  const why: Record<typeof verdict, string> = {
    held: `Datto RMM asked this account to slow down; its calls wait ${seconds} s`,
    requests: `this connector's share of the Datto RMM account's requests a minute is used up; the next fits in ${seconds} s`,
    resolves: `this connector's share of Datto RMM's alert resolves a minute is used up; the next fits in ${seconds} s`,
    'in-flight': "the Datto RMM account's requests in flight are all taken; trying again shortly",
  };
  // Only the jobs that call Datto RMM wait: the hold is the account's, kept here, and Autotask work goes on.
  return new RemoteRateLimitedError('datto-rmm', `Datto RMM calls wait: ${why[verdict]}.`, retryAfterMs, 'call');
}

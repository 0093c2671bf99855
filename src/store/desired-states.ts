import type { Redis } from 'ioredis';
import { backlogMember, ticketNumberBacklogKey } from './ticket-number-backlog';

/**
 * What each RMM ticket should look like in Autotask, recorded by the ingress before it answers and
 * read by the one job that writes it. It lives in Redis beside that job: the event's state is as
 * durable as the job (Redis with AOF, see the README), and a storm of events on one ticket costs
 * Redis writes, never MongoDB commands. Times are on Redis's clock, so every replica agrees.
 *
 * One hash per ticket; a sorted set per connector lists the tickets whose newest state is not yet
 * in Autotask (score: since when), for the operator's list, "retry all" and the overdue sweep.
 */
export interface DesiredTicketState {
  ticketId: string;
  /** The newest RMM ticket as received (JSON), or null once it is in Autotask. */
  desired: string | null;
  /** RMM `updatedAt` (ms) of the newest state received; -1 when none. */
  desiredUpdatedAt: number;
  /** When the newest state arrived. */
  changedAt: number;
  /** Since when a state newer than the applied one has been waiting; null when none is. */
  firstPendingAt: number | null;
  /** RMM `updatedAt` (ms) of the state last written to Autotask; -1 when unknown here. */
  appliedUpdatedAt: number;
  /** When the last Autotask write for this ticket happened. */
  lastWriteAt: number | null;
  /** Writes in the current burst of activity (spaced further apart as it grows). */
  writesInBurst: number;
  /** A transient failure's backoff: no write before this. */
  retryNotBefore: number | null;
  /** The RMM `updatedAt` Autotask (or the mappings) refused: it is not sent again until something changes. */
  refusedUpdatedAt: number | null;
  /** Whether the Autotask ticket exists. */
  linked: boolean;
}

export interface RecordResult {
  /** The event carried a newer state than any recorded before. */
  newer: boolean;
  state: DesiredTicketState;
  /** Redis's clock when it was recorded. */
  now: number;
}

const FIELDS = ['du', 'dc', 'fp', 'au', 'lw', 'wc', 'rnb', 'ref', 'lk'] as const;

const CLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: state hash, pending set. ARGV: updatedAt (ms), ticket JSON, ticket id.
 * Newest `updatedAt` wins, so duplicate and out-of-order deliveries change nothing.
 */
const RECORD = `${CLOCK}
local updatedAt = tonumber(ARGV[1])
local newer = 0
if updatedAt > tonumber(redis.call('HGET', KEYS[1], 'du') or '-1') then
  newer = 1
  redis.call('HSET', KEYS[1], 'd', ARGV[2], 'du', ARGV[1], 'dc', now)
  if updatedAt > tonumber(redis.call('HGET', KEYS[1], 'au') or '-1') then
    if not redis.call('HGET', KEYS[1], 'fp') then
      redis.call('HSET', KEYS[1], 'fp', now)
      redis.call('ZADD', KEYS[2], now, ARGV[3])
    end
    redis.call('HDEL', KEYS[1], 'ref')
    redis.call('PERSIST', KEYS[1])
  end
end
return {newer, now, redis.call('HMGET', KEYS[1], ${FIELDS.map((f) => `'${f}'`).join(', ')})}
`;

const READ = `${CLOCK}
return {now, redis.call('HMGET', KEYS[1], 'd', ${FIELDS.map((f) => `'${f}'`).join(', ')})}
`;

/**
 * KEYS: state hash, pending set[, ticket-number backlog]. ARGV: applied updatedAt, linked (0/1),
 * wrote (0/1), burst reset (ms), retention (ms), ticket id[, backlog member]. With a backlog the
 * created ticket joins it in the same step, and the answer says whether the backlog was empty. Once nothing newer waits, the state keeps only what judges late
 * events (applied updatedAt, write spacing) and expires after the retention: MongoDB's link stays
 * the record of what Autotask holds.
 */
const APPLIED = `${CLOCK}
local applied = tonumber(ARGV[1])
local au = tonumber(redis.call('HGET', KEYS[1], 'au') or '-1')
if applied > au then
  au = applied
  redis.call('HSET', KEYS[1], 'au', ARGV[1])
end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'lk', '1') end
if ARGV[3] == '1' then
  local lw = tonumber(redis.call('HGET', KEYS[1], 'lw') or '0')
  local wc = tonumber(redis.call('HGET', KEYS[1], 'wc') or '0')
  if now - lw > tonumber(ARGV[4]) then wc = 1 else wc = wc + 1 end
  redis.call('HSET', KEYS[1], 'lw', now, 'wc', wc)
end
redis.call('HDEL', KEYS[1], 'rnb')
local ref = tonumber(redis.call('HGET', KEYS[1], 'ref') or '-1')
if ref <= au then redis.call('HDEL', KEYS[1], 'ref') end
if tonumber(redis.call('HGET', KEYS[1], 'du') or '-1') <= au then
  redis.call('HDEL', KEYS[1], 'fp', 'd')
  redis.call('ZREM', KEYS[2], ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
else
  redis.call('HSET', KEYS[1], 'fp', now)
  redis.call('ZADD', KEYS[2], now, ARGV[6])
end
if KEYS[3] then
  local added = redis.call('SADD', KEYS[3], ARGV[7])
  if added == 1 and redis.call('SCARD', KEYS[3]) == 1 then return 1 end
end
return 0
`;

/** KEYS: state hash. ARGV: field, value. Sets a hold only on a state that still exists. */
const HOLD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

interface Scripts {
  desiredRecord(hash: string, pending: string, updatedAt: number, json: string, ticketId: string): Promise<[number, number, Array<string | null>]>;
  desiredRead(hash: string): Promise<[number, Array<string | null>]>;
  desiredApplied(hash: string, pending: string, applied: number, linked: string, wrote: string, burstResetMs: number, retentionMs: number, ticketId: string): Promise<number>;
  desiredCreated(hash: string, pending: string, backlog: string, applied: number, linked: string, wrote: string, burstResetMs: number, retentionMs: number, ticketId: string, member: string): Promise<number>;
  desiredHold(hash: string, field: string, value: string): Promise<number>;
}

export interface DesiredStateOptions {
  /** Key prefix (the queue prefix): every key of the install shares it, so Redis Cluster hash tags work. */
  prefix: string;
  /** A write this long after the previous one starts a new burst. */
  burstResetMs: number;
  /** How long a settled ticket's state is kept to judge late events. */
  retentionMs?: number;
}

const DEFAULT_RETENTION_MS = 3 * 24 * 3600 * 1000;

export class DesiredStateStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly options: DesiredStateOptions,
  ) {
    // defineCommand is idempotent per name; every store on this connection shares the scripts.
    redis.defineCommand('desiredRecord', { numberOfKeys: 2, lua: RECORD });
    redis.defineCommand('desiredRead', { numberOfKeys: 1, lua: READ });
    redis.defineCommand('desiredApplied', { numberOfKeys: 2, lua: APPLIED });
    redis.defineCommand('desiredCreated', { numberOfKeys: 3, lua: APPLIED });
    redis.defineCommand('desiredHold', { numberOfKeys: 1, lua: HOLD });
    this.scripts = redis as unknown as Scripts;
  }

  /** Records the ticket's state if it is newer than any recorded (by the RMM's `updatedAt`). */
  async record(connectorId: string, ticketId: string, updatedAtMs: number, ticketJson: string): Promise<RecordResult> {
    const [newer, now, values] = await this.scripts.desiredRecord(this.hashKey(connectorId, ticketId), this.pendingKey(connectorId), updatedAtMs, ticketJson, ticketId);
    return { newer: newer === 1, now, state: parseState(ticketId, null, values) };
  }

  async read(connectorId: string, ticketId: string): Promise<{ state: DesiredTicketState | null; now: number }> {
    const [now, values] = await this.scripts.desiredRead(this.hashKey(connectorId, ticketId));
    const [desired, ...rest] = values;
    if (rest.every((value) => value === null) && (desired ?? null) === null) return { state: null, now };
    return { state: parseState(ticketId, desired ?? null, rest), now };
  }

  /** Autotask now holds the state of `appliedUpdatedAt` (`wrote`: a call was made, which spaces the next one). */
  async markApplied(connectorId: string, ticketId: string, appliedUpdatedAtMs: number, options: { linked: boolean; wrote: boolean }): Promise<void> {
    await this.scripts.desiredApplied(
      this.hashKey(connectorId, ticketId),
      this.pendingKey(connectorId),
      appliedUpdatedAtMs,
      options.linked ? '1' : '0',
      options.wrote ? '1' : '0',
      this.options.burstResetMs,
      this.options.retentionMs ?? DEFAULT_RETENTION_MS,
      ticketId,
    );
  }

  /**
   * Autotask created the ticket (or it was found): as `markApplied`, and the ticket joins the
   * backlog whose numbers are read in one batch. True when the backlog was empty (its job must be added).
   */
  async markCreated(connectorId: string, ticketId: string, appliedUpdatedAtMs: number, autotaskTicketId: number): Promise<boolean> {
    const first = await this.scripts.desiredCreated(
      this.hashKey(connectorId, ticketId),
      this.pendingKey(connectorId),
      ticketNumberBacklogKey(this.options.prefix, connectorId),
      appliedUpdatedAtMs,
      '1',
      '1',
      this.options.burstResetMs,
      this.options.retentionMs ?? DEFAULT_RETENTION_MS,
      ticketId,
      backlogMember({ autotaskTicketId, ticketId }),
    );
    return first === 1;
  }

  /** A transient failure: no write before `notBefore`, whatever events arrive meanwhile. */
  async holdUntil(connectorId: string, ticketId: string, notBefore: number): Promise<void> {
    await this.scripts.desiredHold(this.hashKey(connectorId, ticketId), 'rnb', String(notBefore));
  }

  /** Autotask refused the state of `updatedAt`: it is not sent again until a newer one arrives or someone asks. */
  async markRefused(connectorId: string, ticketId: string, updatedAtMs: number): Promise<void> {
    await this.scripts.desiredHold(this.hashKey(connectorId, ticketId), 'ref', String(updatedAtMs));
  }

  /** An operator, a configuration change or the cool-down asks for another try now. */
  async clearHolds(connectorId: string, ticketId: string): Promise<void> {
    await this.redis.hdel(this.hashKey(connectorId, ticketId), 'rnb', 'ref');
  }

  /** Tickets whose newest state is not yet in Autotask, waiting since before `olderThan`, oldest first. */
  async pending(connectorId: string, options: { olderThan?: number; limit: number; offset?: number }): Promise<Array<{ ticketId: string; since: number }>> {
    const flat = await this.redis.zrangebyscore(
      this.pendingKey(connectorId),
      '-inf',
      options.olderThan === undefined ? '+inf' : `(${options.olderThan}`,
      'WITHSCORES',
      'LIMIT',
      options.offset ?? 0,
      options.limit,
    );
    const result: Array<{ ticketId: string; since: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) result.push({ ticketId: flat[i]!, since: Number(flat[i + 1]) });
    return result;
  }

  async pendingCount(connectorId: string): Promise<number> {
    return this.redis.zcard(this.pendingKey(connectorId));
  }

  private hashKey(connectorId: string, ticketId: string): string {
    return `${this.options.prefix}:desired:${connectorId}:${ticketId}`;
  }

  private pendingKey(connectorId: string): string {
    return `${this.options.prefix}:desired-pending:${connectorId}`;
  }
}

function num(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function parseState(ticketId: string, desired: string | null, values: Array<string | null>): DesiredTicketState {
  const [du, dc, fp, au, lw, wc, rnb, ref, lk] = values;
  return {
    ticketId,
    desired,
    desiredUpdatedAt: num(du) ?? -1,
    changedAt: num(dc) ?? 0,
    firstPendingAt: num(fp),
    appliedUpdatedAt: num(au) ?? -1,
    lastWriteAt: num(lw),
    writesInBurst: num(wc) ?? 0,
    retryNotBefore: num(rnb),
    refusedUpdatedAt: num(ref),
    linked: lk === '1',
  };
}

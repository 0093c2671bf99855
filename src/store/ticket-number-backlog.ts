import type { Redis } from 'ioredis';

export interface BacklogEntry {
  autotaskTicketId: number;
  ticketId: string;
}

/** The backlog's key; the desired-state store adds to it in the same step that records a create. */
export function ticketNumberBacklogKey(prefix: string, connectorId: string): string {
  return `${prefix}:ticket-numbers:${connectorId}`;
}

export function backlogMember(entry: BacklogEntry): string {
  return encode(entry);
}

/**
 * Tickets created whose Autotask ticket number is not read yet. A create answers only the new id;
 * reading numbers for many tickets in one query instead of one GET each keeps a new ticket at about
 * one Autotask call. Kept in Redis beside the job that drains it.
 */
export class TicketNumberBacklog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Up to `max` entries, not removed: an entry goes only once its number is stored. */
  async peek(connectorId: string, max: number): Promise<BacklogEntry[]> {
    const members = await this.redis.srandmember(this.key(connectorId), max);
    return members.map(decode).filter((entry): entry is BacklogEntry => entry !== null);
  }

  async remove(connectorId: string, entries: BacklogEntry[]): Promise<void> {
    if (entries.length > 0) await this.redis.srem(this.key(connectorId), ...entries.map(encode));
  }

  async size(connectorId: string): Promise<number> {
    return this.redis.scard(this.key(connectorId));
  }

  private key(connectorId: string): string {
    return ticketNumberBacklogKey(this.prefix, connectorId);
  }
}

function encode(entry: BacklogEntry): string {
  return `${entry.autotaskTicketId} ${entry.ticketId}`;
}

function decode(member: string): BacklogEntry | null {
  const space = member.indexOf(' ');
  const id = Number(member.slice(0, space));
  if (space < 1 || !Number.isInteger(id) || id <= 0) return null;
  return { autotaskTicketId: id, ticketId: member.slice(space + 1) };
}

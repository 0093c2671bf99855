import { createHash } from 'node:crypto';

/** Autotask's Ticket.externalID holds at most 50 characters. */
const MAX_LENGTH = 50;

/**
 * Prefix shared by every ticket of one connector, so a query can find all of ours. `tag` names the
 * RMM (its adapter's `externalIdTag`), so an operator reading a ticket sees where it came from.
 */
export function externalIdPrefix(connectorId: string, tag: string): string {
  return `${tag}-${shortHash(connectorId, 8)}-`;
}

/**
 * The stable id stamped on the Autotask ticket for one RMM ticket. A retry finds the ticket by it
 * instead of creating a second one; the same inputs always give the same id.
 */
export function externalIdFor(connectorId: string, tag: string, rmmTicketId: string): string {
  const prefix = externalIdPrefix(connectorId, tag);
  const readable = `${prefix}${rmmTicketId}`;
  return readable.length <= MAX_LENGTH && /^[\x20-\x7e]+$/.test(rmmTicketId)
    ? readable
    : `${prefix}#${shortHash(rmmTicketId, MAX_LENGTH - prefix.length - 1)}`;
}

function shortHash(value: string, length: number): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, length);
}

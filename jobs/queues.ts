/**
 * Where jobs wait. Every connector has a queue of its own: one connector's storm, outage or full
 * Autotask budget holds only its own work (BullMQ's pause and rate limit act per queue), and the
 * connector's jobs run in rank order inside it. A small global queue carries what must run while a
 * connector's queue is held (the credentials check that releases it).
 */
export const QUEUE_KINDS = ['connector', 'maintenance'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

const CONNECTOR_QUEUE = 'connector.';
const MAINTENANCE_QUEUE = 'maintenance';

export function queueName(kind: QueueKind, connectorId?: string): string {
  if (kind === 'maintenance') return MAINTENANCE_QUEUE;
  if (!connectorId) throw new Error('a connector queue needs the connector id');
  return `${CONNECTOR_QUEUE}${connectorId}`;
}

/** The connector a queue belongs to, or null for the global queue. */
export function connectorOfQueue(name: string): string | null {
  return name.startsWith(CONNECTOR_QUEUE) ? name.slice(CONNECTOR_QUEUE.length) : null;
}

/**
 * BullMQ priorities inside a connector's queue (lower runs first): new tickets, then updates,
 * round-trip reads, reconciliation, catalogue refresh. The budget governor holds back the lower
 * ranks as Autotask's hourly budget fills.
 */
export const RANK = {
  newTicket: 1,
  ticketUpdate: 2,
  roundTrip: 3,
  reconciliation: 4,
  catalogue: 5,
} as const;
export type Rank = (typeof RANK)[keyof typeof RANK];

/**
 * How much of Autotask's hourly budget each rank may use before it waits for the hour to turn
 * (the budget is shared with every integration of the MSP and refused past 100 %). At 96 % new
 * tickets still go through; updates, reads, reconciliation and catalogue refreshes wait.
 */
export const BUDGET_SHARE: Record<Rank, number> = {
  1: 0.99,
  2: 0.95,
  3: 0.9,
  4: 0.85,
  5: 0.8,
};

/** Ranks from this one down read `ThresholdInformation` (at most once a minute) before they spend. */
export const RANK_THAT_READS_THE_BUDGET: Rank = RANK.roundTrip;

export const RANK_NAMES: Record<Rank, string> = {
  1: 'new tickets',
  2: 'ticket updates',
  3: 'round-trip reads',
  4: 'reconciliation',
  5: 'catalogue refreshes',
};

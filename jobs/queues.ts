/** BullMQ queues, one per source of events, so a flood from one side cannot starve the other. */
export const QUEUES = {
  pcsmEvents: 'pcsm-events',
  autotaskEvents: 'autotask-events',
  /** Catalogue refreshes and (later) reconciliation: housekeeping that must not delay ticket sync. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** BullMQ queues, one per source of events, so a flood from one side cannot starve the other. */
export const QUEUES = {
  pcsmEvents: 'pcsm-events',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

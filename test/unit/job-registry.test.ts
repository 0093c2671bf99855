import { z } from 'zod';
import { defineJob, retryDelayMs, RETRY_CAP_MS, safeJobId } from '../../jobs/definition';
import { buildRegistry, JOB_DEFINITIONS } from '../../jobs/registry';
import { connectorOfQueue, queueName } from '../../jobs/queues';

const job = (name: string, handle?: unknown) =>
  defineJob({
    name,
    queue: 'connector',
    schema: z.object({}),
    options: () => ({}),
    logContext: () => ({}),
    handle: handle as never,
  });

const sample = { connectorId: 'c1', ticketId: 'T-1', scope: 'all', event: { id: 'evt_1', data: { id: 'T-1' } }, autotaskTicketId: 1 } as never;

describe('job registry', () => {
  it('holds every defined job with the kind of queue it runs on', () => {
    const registry = buildRegistry();
    for (const definition of JOB_DEFINITIONS) expect(registry.get(definition.name)).toBe(definition);
    expect(registry.queueKinds().sort()).toEqual(['connector', 'maintenance']);
  });

  it('refuses to boot when a name is defined twice or has no handler, naming both', () => {
    expect(() => buildRegistry([job('a', async () => 1), job('a', async () => 2), job('b')])).toThrow(
      /job "a" is defined twice.*job "b" has no handler/,
    );
  });

  it('declares retention, retries and the failure-policy backoff for every job (bounded Redis)', () => {
    for (const definition of JOB_DEFINITIONS) {
      const options = definition.options(sample);
      expect(options.removeOnComplete).toEqual(expect.objectContaining({ count: expect.any(Number) }));
      expect(options.removeOnFail).toEqual(expect.objectContaining({ count: expect.any(Number) }));
      expect(options.attempts).toBeGreaterThan(1);
      expect(options.backoff).toEqual({ type: 'failure-policy' });
    }
  });

  it('ranks every job of a connector queue, new tickets first and the catalogue last', () => {
    const priority = (name: string, when?: unknown) => buildRegistry().get(name)!.options(sample, when).priority;
    expect(priority('ticket-sync', { delayMs: 0, rank: 'new-ticket', reschedule: false })).toBe(1);
    expect(priority('ticket-sync', { delayMs: 0, rank: 'ticket-update', reschedule: false })).toBe(2);
    expect(priority('autotask-ticket-changed')).toBe(3);
    expect(priority('reconcile')).toBe(4);
    expect(priority('catalogue-refresh')).toBe(5);
    for (const definition of JOB_DEFINITIONS.filter((d) => d.queue === 'connector')) {
      expect(definition.options(sample).priority).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps one ticket-sync job per ticket that later events move, not add to', () => {
    const options = buildRegistry().get('ticket-sync')!.options(sample, { delayMs: 1500, rank: 'ticket-update', reschedule: true });
    expect(options).toMatchObject({ delay: 1500, deduplication: { id: 'ticket.c1.T-1', keepLastIfActive: true, reschedule: true } });
    expect(options.jobId).toBeUndefined();
  });

  it('keys each profile event job on connector and event id, so a re-delivery adds nothing', () => {
    expect(buildRegistry().get('pcsm-profile-event')!.options(sample).jobId).toBe('c1.evt_1');
  });
});

describe('queues', () => {
  it('gives every connector a queue of its own and knows whose a queue is', () => {
    expect(queueName('connector', 'c-1')).toBe('connector.c-1');
    expect(connectorOfQueue('connector.c-1')).toBe('c-1');
    expect(connectorOfQueue(queueName('maintenance'))).toBeNull();
    expect(() => queueName('connector')).toThrow(/connector id/);
  });
});

describe('retry backoff', () => {
  it('doubles from 2 s with jitter and is capped at 5 minutes', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(3, () => 0.5)).toBe(8_000);
    expect(retryDelayMs(50, () => 0.5)).toBe(RETRY_CAP_MS);
    expect(retryDelayMs(1, () => 0)).toBe(1_500);
    expect(retryDelayMs(1, () => 1)).toBe(2_500);
  });
});

describe('safeJobId', () => {
  it('keeps readable ids and hashes ids BullMQ would refuse', () => {
    expect(safeJobId('c1', 'evt_1')).toBe('c1.evt_1');
    expect(safeJobId('c1', 'evt:1')).toMatch(/^h[0-9a-f]{40}$/);
    expect(safeJobId('c1', 'evt:1')).not.toBe(safeJobId('c1', 'evt:2'));
    expect(safeJobId('123')).toMatch(/^h/);
  });
});

import { z } from 'zod';
import { defineJob, safeJobId } from '../../jobs/definition';
import { buildRegistry, JOB_DEFINITIONS } from '../../jobs/registry';
import { QUEUES } from '../../jobs/queues';

const job = (name: string, handle?: unknown) =>
  defineJob({
    name,
    queue: QUEUES.pcsmEvents,
    schema: z.object({}),
    options: () => ({}),
    logContext: () => ({}),
    handle: handle as never,
  });

describe('job registry', () => {
  it('holds every defined job with its queue', () => {
    const registry = buildRegistry();
    for (const definition of JOB_DEFINITIONS) expect(registry.get(definition.name)).toBe(definition);
    expect(registry.queues().sort()).toEqual([QUEUES.autotaskEvents, QUEUES.maintenance, QUEUES.pcsmEvents]);
  });

  it('refuses to boot when a name is defined twice or has no handler, naming both', () => {
    expect(() => buildRegistry([job('a', async () => 1), job('a', async () => 2), job('b')])).toThrow(
      /job "a" is defined twice.*job "b" has no handler/,
    );
  });

  it('declares retention and attempts for every job (bounded Redis, no retry forever)', () => {
    for (const definition of JOB_DEFINITIONS) {
      const sample = { connectorId: 'c1', event: { id: 'evt_1', data: { id: 'T-1' } } } as never;
      const options = definition.options(sample);
      expect(options.removeOnComplete).toEqual(expect.objectContaining({ count: expect.any(Number) }));
      expect(options.removeOnFail).toEqual(expect.objectContaining({ count: expect.any(Number) }));
      expect(options.attempts).toBeGreaterThan(1);
    }
  });

  it('keys each PCSM event job on connector and event id, so a re-delivery adds nothing', () => {
    const sample = { connectorId: 'c1', event: { id: 'evt_1', data: { id: 'T-1' } } } as never;
    for (const name of ['pcsm-ticket-event', 'pcsm-profile-event']) {
      expect(buildRegistry().get(name)!.options(sample).jobId).toBe('c1.evt_1');
    }
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

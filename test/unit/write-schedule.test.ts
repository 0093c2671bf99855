import type { DesiredTicketState } from '../../src/store/desired-states';
import { FIRST_SPACING_MS, nextWrite, spacingAfter, type WritePolicy } from '../../src/sync/write-schedule';

const policy: WritePolicy = { settleMs: 1_000, maxWaitMs: 120_000, minIntervalMs: 60_000 };
const NOW = 1_000_000;

const state = (overrides: Partial<DesiredTicketState> = {}): DesiredTicketState => ({
  ticketId: 'T-1',
  desired: '{}',
  desiredUpdatedAt: 500,
  changedAt: NOW,
  firstPendingAt: NOW,
  appliedUpdatedAt: -1,
  lastWriteAt: null,
  writesInBurst: 0,
  retryNotBefore: null,
  refusedUpdatedAt: null,
  linked: false,
  ...overrides,
});

describe('when a ticket is written', () => {
  it('creates a ticket Autotask does not have at once, ranked first', () => {
    expect(nextWrite(state(), policy, NOW)).toEqual({ due: NOW, rank: 'new-ticket' });
  });

  it('writes nothing when Autotask already has the newest state', () => {
    expect(nextWrite(state({ appliedUpdatedAt: 500 }), policy, NOW)).toBeNull();
    expect(nextWrite(state({ desiredUpdatedAt: -1 }), policy, NOW)).toBeNull();
  });

  it('writes nothing for a state Autotask refused until a newer one arrives', () => {
    expect(nextWrite(state({ refusedUpdatedAt: 500 }), policy, NOW)).toBeNull();
    expect(nextWrite(state({ refusedUpdatedAt: 400, desiredUpdatedAt: 500 }), policy, NOW)).not.toBeNull();
  });

  it('waits for an update to settle', () => {
    expect(nextWrite(state({ linked: true }), policy, NOW)).toEqual({ due: NOW + 1_000, rank: 'ticket-update' });
  });

  it('moves the write with every new change, up to the longest wait after the first unwritten change', () => {
    const storming = state({ linked: true, firstPendingAt: NOW - 119_500, changedAt: NOW });
    expect(nextWrite(storming, policy, NOW)!.due).toBe(NOW + 500);
    const longAgo = state({ linked: true, firstPendingAt: NOW - 200_000, changedAt: NOW });
    expect(nextWrite(longAgo, policy, NOW)!.due).toBe(NOW - 80_000);
  });

  it('spaces the writes of a busy ticket: 5 s, then doubling, up to the minimum interval', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => spacingAfter(n, policy))).toEqual([0, FIRST_SPACING_MS, 10_000, 20_000, 40_000, 60_000, 60_000]);
    const justWritten = state({ linked: true, lastWriteAt: NOW - 1_000, writesInBurst: 3, changedAt: NOW - 5_000 });
    expect(nextWrite(justWritten, policy, NOW)!.due).toBe(NOW - 1_000 + 20_000);
  });

  it('keeps a storm of 100 s on one ticket to its create and one write after the storm', () => {
    // The create at t=0, then an event every 50 ms for 100 s: where would the write be due?
    let due = 0;
    for (let t = 50; t <= 100_000; t += 50) {
      due = nextWrite(state({ linked: true, lastWriteAt: 0, writesInBurst: 1, firstPendingAt: 50, changedAt: t }), policy, t)!.due;
      expect(due).toBeGreaterThan(t);
    }
    expect(due).toBe(100_000 + policy.settleMs);
  });

  it('never cuts a transient failure’s backoff short', () => {
    expect(nextWrite(state({ retryNotBefore: NOW + 30_000 }), policy, NOW)!.due).toBe(NOW + 30_000);
    expect(nextWrite(state({ linked: true, retryNotBefore: NOW + 30_000 }), policy, NOW)!.due).toBe(NOW + 30_000);
  });
});

import type { DesiredTicketState } from '../store/desired-states';

/**
 * When a ticket's newest state should be written to Autotask. Pure, so the ingress (which delays
 * the ticket's one job accordingly) and the worker (which re-checks before writing) agree.
 *
 * - A ticket Autotask does not have yet is created at once.
 * - Updates wait until the ticket has been quiet for `settleMs`: a burst becomes one write with its last state.
 * - A ticket that keeps changing is still written `maxWaitMs` after its first unwritten change.
 * - Writes of one busy ticket are spaced: 5 s after the previous one, then 10 s, 20 s … up to
 *   `minIntervalMs`; a ticket left alone for `minIntervalMs` starts over.
 * - A transient failure's backoff (`retryNotBefore`) is never cut short by new events.
 */
export interface WritePolicy {
  settleMs: number;
  maxWaitMs: number;
  minIntervalMs: number;
}

/** The first spacing between two writes of one busy ticket; it doubles up to `minIntervalMs`. */
export const FIRST_SPACING_MS = 5_000;

export type WriteRank = 'new-ticket' | 'ticket-update';

export interface NextWrite {
  /** When the write is due (Redis clock, ms). */
  due: number;
  rank: WriteRank;
}

export function spacingAfter(writesInBurst: number, policy: WritePolicy): number {
  if (writesInBurst <= 0) return 0;
  return Math.min(policy.minIntervalMs, FIRST_SPACING_MS * 2 ** Math.min(writesInBurst - 1, 20));
}

/** null when nothing is to be written: Autotask has the newest state, or refused it and nothing changed since. */
export function nextWrite(state: DesiredTicketState, policy: WritePolicy, now: number): NextWrite | null {
  if (state.desiredUpdatedAt < 0 || state.desiredUpdatedAt <= state.appliedUpdatedAt) return null;
  if (state.refusedUpdatedAt !== null && state.refusedUpdatedAt >= state.desiredUpdatedAt) return null;
  let due = now;
  if (state.linked) {
    const settled = state.changedAt + policy.settleMs;
    const cap = (state.firstPendingAt ?? now) + policy.maxWaitMs;
    const spaced = (state.lastWriteAt ?? 0) + spacingAfter(state.writesInBurst, policy);
    due = Math.max(Math.min(settled, cap), spaced);
  }
  if (state.retryNotBefore !== null) due = Math.max(due, state.retryNotBefore);
  return { due, rank: state.linked ? 'ticket-update' : 'new-ticket' };
}

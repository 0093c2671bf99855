import type { RmmTicket } from '../rmm/types';
import type { DesiredStateStore } from '../store/desired-states';
import { nextWrite, type WritePolicy, type WriteRank } from './write-schedule';

/** How the ticket's one job should wait: the caller turns this into BullMQ options. */
export interface TicketJobTiming {
  delayMs: number;
  rank: WriteRank;
  /** Move a job that is already waiting to the new time (a newer state arrived); otherwise only make sure one exists. */
  reschedule: boolean;
}

export interface TicketIntakeDeps {
  desiredStates: DesiredStateStore;
  /** Runs the recording step with the queue's fail-fast rules (Redis down: the caller answers 503). */
  record<T>(step: () => Promise<T>): Promise<T>;
  policy: WritePolicy;
  /** Adds the ticket's job, or finds the one already waiting (BullMQ deduplication); resolves once it is in Redis. */
  scheduleTicket(connectorId: string, ticketId: string, timing: TicketJobTiming): Promise<string>;
}

export interface IntakeResult {
  /** The event carried the newest state of the ticket so far. */
  newest: boolean;
  /** The job that will write it; null when there is nothing to write (Autotask has it, or refused it). */
  jobId: string | null;
}

/**
 * What an RMM ticket event leaves behind: its state as the ticket's desired state (the newest
 * `updatedAt` wins, so duplicates and out-of-order deliveries change nothing), and one job for the
 * ticket waiting until the write schedule says it is due. A storm of events on a few tickets is a
 * few jobs, whatever the event count.
 */
export async function takeTicketEvent(deps: TicketIntakeDeps, connectorId: string, ticket: RmmTicket): Promise<IntakeResult> {
  const { newer, state, now } = await deps.record(() =>
    deps.desiredStates.record(connectorId, ticket.id, Date.parse(ticket.updatedAt), JSON.stringify(ticket)),
  );
  const next = nextWrite(state, deps.policy, now);
  if (!next) return { newest: newer, jobId: null };
  const jobId = await deps.scheduleTicket(connectorId, ticket.id, {
    delayMs: Math.max(0, Math.round(next.due - now)),
    rank: next.rank,
    reschedule: newer,
  });
  return { newest: newer, jobId };
}

/**
 * Makes sure a ticket with unwritten state has its job, without a new event: an operator's retry,
 * a configuration change after a refusal, the overdue sweep. `force` lifts a refusal and a backoff.
 */
export async function pokeTicket(
  deps: TicketIntakeDeps,
  connectorId: string,
  ticketId: string,
  options: { force: boolean },
): Promise<string | null> {
  if (options.force) await deps.desiredStates.clearHolds(connectorId, ticketId);
  const { state, now } = await deps.desiredStates.read(connectorId, ticketId);
  if (!state) return null;
  const next = nextWrite(state, deps.policy, now);
  if (!next) return null;
  return deps.scheduleTicket(connectorId, ticketId, {
    delayMs: Math.max(0, Math.round(next.due - now)),
    rank: next.rank,
    reschedule: options.force,
  });
}

import type { RmmKind } from '../rmm/types';
import type { Store } from '../store';
import type { DesiredTicketState } from '../store/desired-states';
import type { TicketLink } from '../store/ticket-links';
import { CONNECTOR_ID } from './admin-connectors';
import { json, problem, type HttpResult } from './result';

export interface TicketHandlerDeps {
  store: Store;
  /** Lifts a refusal or backoff and makes sure the ticket's job runs now; null when nothing is left to write. */
  retryTicket(connectorId: string, ticketId: string): Promise<string | null>;
  /** Queues a retry of every ticket of the connector that is not synced. */
  retryAllTickets(connectorId: string): Promise<string>;
}

export type TicketSyncState = 'synced' | 'pending' | 'creating' | 'failed' | 'skipped';

export interface TicketView {
  rmmTicketId: string;
  /** PCSM links: `rmmTicketId` under its first name. */
  pcsmTicketId?: string;
  autotaskTicketId: number | null;
  recurrenceOf: string | null;
  skipped: string | null;
  autotaskTicketNumber: string | null;
  externalId: string | null;
  state: TicketSyncState;
  lastSyncedAt: string | null;
  appliedUpdatedAt: string | null;
  /** The RMM `updatedAt` of the newest state received, when it is not written yet. */
  pendingUpdatedAt: string | null;
  /** Why the last attempt failed (a refusal, or the transient failure being retried). */
  lastError: string | null;
  failedAt: string | null;
  /** When it is tried again without anyone asking. */
  nextAttemptAt: string | null;
}

const iso = (date: Date | number | null | undefined): string | null =>
  date === null || date === undefined || (typeof date === 'number' && date < 0) ? null : new Date(date).toISOString();

/** One ticket's sync state, from its link (MongoDB) and its newest received state (Redis). */
export function ticketView(ticketId: string, link: TicketLink | null, state: DesiredTicketState | null, kind?: RmmKind): TicketView {
  const applied = Math.max(link?.appliedUpdatedAt.getTime() ?? -1, state?.appliedUpdatedAt ?? -1);
  const pending = state !== null && state.desired !== null && state.desiredUpdatedAt > applied;
  const failure = link?.failure ?? null;
  const refusedStill = failure?.kind === 'refused' && (state?.desiredUpdatedAt ?? -1) <= failure.forUpdatedAt.getTime();
  const creating = link?.autotaskTicketId == null && Boolean(link?.createStartedAt);
  let syncState: TicketSyncState;
  if (refusedStill) syncState = 'failed';
  else if (creating) syncState = 'creating';
  else if (link?.skipped && link.autotaskTicketId == null && !pending) syncState = 'skipped';
  else if (pending || link?.autotaskTicketId == null) syncState = 'pending';
  else syncState = 'synced';
  const showFailure = failure !== null && syncState !== 'synced';
  return {
    rmmTicketId: ticketId,
    ...(kind === 'pcsm' ? { pcsmTicketId: ticketId } : {}),
    autotaskTicketId: link?.autotaskTicketId ?? null,
    recurrenceOf: link?.recurrenceOf ?? null,
    skipped: link?.skipped?.reason ?? null,
    autotaskTicketNumber: link?.autotaskTicketNumber ?? null,
    externalId: link?.externalId ?? null,
    state: syncState,
    lastSyncedAt: iso(link?.lastSyncedAt),
    appliedUpdatedAt: applied >= 0 && link?.autotaskTicketId != null ? iso(applied) : null,
    pendingUpdatedAt: pending ? iso(state!.desiredUpdatedAt) : null,
    lastError: showFailure ? failure.reason : null,
    failedAt: showFailure ? iso(failure.at) : null,
    nextAttemptAt: showFailure ? iso(failure.nextAttemptAt) : null,
  };
}

/** `GET /api/v1/connectors/{id}/tickets/{ticketId}`: the link and its sync state; 404 when the connector never heard of the ticket. */
export async function getTicket(deps: TicketHandlerDeps, connectorId: string, ticketId: string): Promise<HttpResult> {
  const [link, { state }] = await Promise.all([
    deps.store.ticketLinks.get(connectorId, ticketId),
    deps.store.desiredStates.read(connectorId, ticketId),
  ]);
  if (!link && !state?.desired) return problem(404, 'Not Found', `no link for ticket ${ticketId}`);
  return json(200, ticketView(ticketId, link, state, (await deps.store.connectors.get(connectorId))?.rmm.kind));
}

const MAX_PAGE = 500;

/**
 * `GET /api/v1/connectors/{id}/tickets?state=failed|pending[&limit=100][&cursor=…]`: the tickets that
 * are not synced, with the reason and the next attempt. `failed`: refused, waiting for a change;
 * `pending`: newer state not written yet (being created, waiting for its write, or retried after a
 * transient failure).
 */
export async function listTickets(deps: TicketHandlerDeps, connectorId: string, query: Record<string, unknown>): Promise<HttpResult> {
  const connector = CONNECTOR_ID.test(connectorId) ? await deps.store.connectors.getRedacted(connectorId) : null;
  if (!connector) return problem(404, 'Not Found', `no connector ${connectorId}`);
  const kind = connector.rmm.kind;
  const state = query.state;
  if (state !== 'failed' && state !== 'pending') {
    return problem(400, 'Bad Request', 'state must be failed or pending', { errors: [{ field: 'state', message: 'must be failed or pending' }] });
  }
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return problem(400, 'Bad Request', `limit must be 1 to ${MAX_PAGE}`, { errors: [{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE}` }] });
  }
  const cursor = typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : null;
  const read = async (ticketId: string) => (await deps.store.desiredStates.read(connectorId, ticketId)).state;

  if (state === 'failed') {
    const links = await deps.store.ticketLinks.failed(connectorId, 'refused', cursor, limit);
    const items = (await Promise.all(links.map(async (link) => ticketView(link.rmmTicketId, link, await read(link.rmmTicketId), kind))))
      .filter((view) => view.state === 'failed');
    const last = links[links.length - 1];
    return json(200, { items, cursor: links.length === limit && last ? last.rmmTicketId : null });
  }
  const offset = cursor === null ? 0 : Number(cursor);
  if (!Number.isInteger(offset) || offset < 0) return problem(400, 'Bad Request', 'cursor is not one this list gave');
  const entries = await deps.store.desiredStates.pending(connectorId, { limit, offset });
  const links = new Map((await deps.store.ticketLinks.getMany(connectorId, entries.map((e) => e.ticketId))).map((l) => [l.rmmTicketId, l]));
  const items = (await Promise.all(entries.map(async ({ ticketId }) => ticketView(ticketId, links.get(ticketId) ?? null, await read(ticketId), kind))))
    .filter((view) => view.state === 'pending' || view.state === 'creating');
  return json(200, { items, cursor: entries.length === limit ? String(offset + limit) : null });
}

/** `POST /api/v1/connectors/{id}/tickets/{ticketId}/retry`: try this ticket now, refusal and backoff lifted. */
export async function retryTicket(deps: TicketHandlerDeps, connectorId: string, ticketId: string): Promise<HttpResult> {
  const link = await deps.store.ticketLinks.get(connectorId, ticketId);
  const { state } = await deps.store.desiredStates.read(connectorId, ticketId);
  if (!link && !state?.desired) return problem(404, 'Not Found', `no link for ticket ${ticketId}`);
  const jobId = await deps.retryTicket(connectorId, ticketId);
  return json(202, { queued: jobId !== null, jobId, state: ticketView(ticketId, link, state).state });
}

/** `POST /api/v1/connectors/{id}/tickets/retry`: try every ticket that is not synced. */
export async function retryAllTickets(deps: TicketHandlerDeps, connectorId: string): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(connectorId) || !(await deps.store.connectors.getRedacted(connectorId))) {
    return problem(404, 'Not Found', `no connector ${connectorId}`);
  }
  return json(202, { queued: true, jobId: await deps.retryAllTickets(connectorId) });
}

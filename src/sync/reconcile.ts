import type { AutotaskSession } from '../autotask/types';
import type { Connector } from '../connector/configuration';
import { externalIdPrefix } from '../mapping/external-id';
import { rmmAdapter } from '../rmm/registry';
import type { RmmReconciliation, RmmSession } from '../rmm/session';
import type { RmmTicket } from '../rmm/types';
import type { Store } from '../store';

export interface ReconcileDeps {
  store: Store;
  autotaskSession(connector: Connector): AutotaskSession;
  rmmSession(connector: Connector): RmmSession;
  /** The same jobs the webhooks would have caused. */
  enqueueAutotaskChange(connectorId: string, autotaskTicketId: number, deliveryId: string): Promise<unknown>;
  /** Records an RMM ticket's state as its desired state (newest wins), as a webhook would. */
  takeRmmTicket(connectorId: string, ticket: RmmTicket): Promise<unknown>;
  /** Tries again the refused tickets whose cool-down is over. */
  retryRefusalsDue(connectorId: string): Promise<unknown>;
  /** How far back a connector's first run looks. */
  firstRunLookbackMs: number;
}

export interface ReconcileReport {
  autotaskCalls: number;
  rmmCalls: number;
  autotaskChanges: number;
  /** RMM tickets taken (changed since the watermark, or open now); newest state wins, so unchanged ones cost nothing more. */
  rmmChanges: number;
  /** Tickets the connector believed open that the RMM's open list no longer had, read one by one. */
  rmmConfirmed: number;
  /** A side hit the page bound: its watermark stayed, the next run carries on. */
  truncated: Array<'autotask' | 'rmm'>;
}

/** Enough for 10,000 changed tickets a run; a larger backlog is finished by the next runs. */
const MAX_AUTOTASK_PAGES = 20;
const MAX_RMM_PAGES = 100;
const PAGE = 500;
/** Links read at a time when looking for tickets believed open. */
const LINK_PAGE = 500;

/**
 * Finds what webhooks missed (Autotask drops a delivery after 5 tries in about 2 minutes) and
 * enqueues the jobs they would have caused. Autotask tickets of this connector (externalID prefix)
 * are read since a watermark on Autotask's clock, by lastActivityDate, id-cursor pages of ids only.
 * The RMM side reads what its adapter offers: tickets changed since a watermark on the RMM's clock,
 * or the tickets open now plus a look at each one the connector still believes open.
 */
export async function reconcile(deps: ReconcileDeps, connectorId: string, now = new Date()): Promise<ReconcileReport | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const report: ReconcileReport = { autotaskCalls: 0, rmmCalls: 0, autotaskChanges: 0, rmmChanges: 0, rmmConfirmed: 0, truncated: [] };
  await reconcileAutotask(deps, connector, now, report);
  const session = deps.rmmSession(connector);
  const source = session.reconciliation();
  if (source.mode === 'changed-since') await reconcileChangedSince(deps, connector, source.ticketsChangedSince, now, report);
  else await reconcileOpenList(deps, connector, session, source, report);
  report.rmmCalls += session.requestCount;
  // A refusal Autotask may have cured on its side (a company reactivated) is tried again after its cool-down.
  await deps.retryRefusalsDue(connector.id);
  return report;
}

async function reconcileAutotask(deps: ReconcileDeps, connector: Connector, now: Date, report: ReconcileReport): Promise<void> {
  const mark = await deps.store.watermarks.get(connector.id, 'autotask');
  const since = mark?.value ?? new Date(now.getTime() - deps.firstRunLookbackMs);
  const seenAtMark = new Set(mark?.idsAtValue ?? []);
  let newest = since;
  let idsAtNewest = mark ? [...seenAtMark] : [];
  let pages = 0;
  let lastPageFull = true;
  const session = deps.autotaskSession(connector);
  for await (const page of session.queryAll<{ id: number; lastActivityDate?: string | null }>(
    'Tickets',
    [
      { op: 'beginsWith', field: 'externalID', value: externalIdPrefix(connector.id, rmmAdapter(connector.rmm.kind).externalIdTag) },
      // Inclusive, so a change in the same millisecond as the last one seen is not missed.
      { op: 'gte', field: 'lastActivityDate', value: since.toISOString() },
    ],
    { includeFields: ['lastActivityDate'], pageSize: PAGE },
  )) {
    pages += 1;
    lastPageFull = page.length === PAGE;
    for (const ticket of page) {
      const changedAt = autotaskTime(ticket.lastActivityDate);
      if (!changedAt) continue;
      const key = String(ticket.id);
      if (changedAt.getTime() === since.getTime() && seenAtMark.has(key)) continue;
      await deps.enqueueAutotaskChange(connector.id, ticket.id, `reconcile.${ticket.id}.${changedAt.getTime()}`);
      report.autotaskChanges += 1;
      if (changedAt > newest) {
        newest = changedAt;
        idsAtNewest = [key];
      } else if (changedAt.getTime() === newest.getTime()) idsAtNewest.push(key);
    }
    if (pages >= MAX_AUTOTASK_PAGES && lastPageFull) break;
  }
  report.autotaskCalls += session.requestCount;
  if (pages >= MAX_AUTOTASK_PAGES && lastPageFull) {
    report.truncated.push('autotask');
    return;
  }
  await deps.store.watermarks.advance(connector.id, 'autotask', newest, idsAtNewest);
}

async function reconcileChangedSince(
  deps: ReconcileDeps,
  connector: Connector,
  ticketsChangedSince: (since: Date) => AsyncGenerator<RmmTicket[]>,
  now: Date,
  report: ReconcileReport,
): Promise<void> {
  const mark = await deps.store.watermarks.get(connector.id, 'rmm');
  const since = mark?.value ?? new Date(now.getTime() - deps.firstRunLookbackMs);
  let newest = since;
  let pages = 0;
  for await (const page of ticketsChangedSince(since)) {
    pages += 1;
    for (const ticket of page) {
      // Newest state wins: a ticket seen twice, or already up to date, changes nothing.
      await deps.takeRmmTicket(connector.id, ticket);
      report.rmmChanges += 1;
      const updatedAt = new Date(ticket.updatedAt);
      if (updatedAt > newest) newest = updatedAt;
    }
    if (pages >= MAX_RMM_PAGES) break;
  }
  if (pages >= MAX_RMM_PAGES) {
    report.truncated.push('rmm');
    return;
  }
  await deps.store.watermarks.advance(connector.id, 'rmm', newest, []);
}

/**
 * Every open ticket is taken (an open alert whose webhook was lost becomes its ticket), then each
 * ticket the connector still believes open that the list no longer has is read on its own: it was
 * resolved while its webhook was lost, and the read brings that state.
 */
async function reconcileOpenList(
  deps: ReconcileDeps,
  connector: Connector,
  session: RmmSession,
  source: Extract<RmmReconciliation, { mode: 'open-list' }>,
  report: ReconcileReport,
): Promise<void> {
  const open = new Set<string>();
  let pages = 0;
  for await (const page of source.openTickets()) {
    pages += 1;
    for (const ticket of page) {
      open.add(ticket.id);
      await deps.takeRmmTicket(connector.id, ticket);
      report.rmmChanges += 1;
    }
    if (pages >= MAX_RMM_PAGES) {
      // Without the whole list, "missing from it" proves nothing: confirm nothing this run.
      report.truncated.push('rmm');
      return;
    }
  }
  for (let after: string | null = null; ; ) {
    const links = await deps.store.ticketLinks.withRmmStatus(connector.id, [...source.openStatuses], after, LINK_PAGE);
    for (const link of links) {
      if (open.has(link.rmmTicketId)) continue;
      const ticket = await session.getTicket(link.rmmTicketId);
      report.rmmConfirmed += 1;
      // A ticket the RMM no longer knows is not looked for again.
      if (ticket) await deps.takeRmmTicket(connector.id, ticket);
      else await deps.store.ticketLinks.forgetRmmStatus(connector.id, link.rmmTicketId);
    }
    if (links.length < LINK_PAGE) break;
    after = links[links.length - 1]!.rmmTicketId;
  }
}

/** Autotask returns UTC timestamps, sometimes without a zone designator. */
function autotaskTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

import type { AutotaskSession } from '../autotask/types';
import type { Connector } from '../connector/configuration';
import { externalIdPrefix } from '../mapping/external-id';
import type { PcsmTicket } from '../pcsm/events';
import type { PcsmSession } from '../pcsm/types';
import type { Store } from '../store';

export interface ReconcileDeps {
  store: Store;
  autotaskSession(connector: Connector): AutotaskSession;
  pcsmSession(connector: Connector): PcsmSession;
  /** The same jobs the webhooks would have caused. */
  enqueueAutotaskChange(connectorId: string, autotaskTicketId: number, deliveryId: string): Promise<unknown>;
  /** Records a PCSM ticket's state as its desired state (newest wins), as a webhook would. */
  takePcsmTicket(connectorId: string, ticket: PcsmTicket): Promise<unknown>;
  /** Tries again the refused tickets whose cool-down is over. */
  retryRefusalsDue(connectorId: string): Promise<unknown>;
  /** How far back a connector's first run looks. */
  firstRunLookbackMs: number;
}

export interface ReconcileReport {
  autotaskCalls: number;
  pcsmCalls: number;
  autotaskChanges: number;
  pcsmChanges: number;
  /** A side hit the page bound: its watermark stayed, the next run carries on. */
  truncated: Array<'autotask' | 'pcsm'>;
}

/** Enough for 10,000 changed tickets a run; a larger backlog is finished by the next runs. */
const MAX_AUTOTASK_PAGES = 20;
const MAX_PCSM_PAGES = 100;
const PAGE = 500;

/**
 * Finds what webhooks missed (Autotask drops a delivery after 5 tries in about 2 minutes) and
 * enqueues the jobs they would have caused. Each side is read since its own watermark, on its own
 * clock: Autotask tickets of this connector (externalID prefix) by lastActivityDate, id-cursor pages
 * of ids only; PCSM tickets by updatedAt.
 */
export async function reconcile(deps: ReconcileDeps, connectorId: string, now = new Date()): Promise<ReconcileReport | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const report: ReconcileReport = { autotaskCalls: 0, pcsmCalls: 0, autotaskChanges: 0, pcsmChanges: 0, truncated: [] };
  await reconcileAutotask(deps, connector, now, report);
  await reconcilePcsm(deps, connector, now, report);
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
      { op: 'beginsWith', field: 'externalID', value: externalIdPrefix(connector.id) },
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

async function reconcilePcsm(deps: ReconcileDeps, connector: Connector, now: Date, report: ReconcileReport): Promise<void> {
  const mark = await deps.store.watermarks.get(connector.id, 'pcsm');
  const since = mark?.value ?? new Date(now.getTime() - deps.firstRunLookbackMs);
  let newest = since;
  let pages = 0;
  const session = deps.pcsmSession(connector);
  for await (const page of session.ticketsUpdatedSince(since)) {
    pages += 1;
    for (const ticket of page) {
      const updatedAt = new Date(ticket.updatedAt);
      // Newest state wins: a ticket seen twice, or already up to date, changes nothing.
      const { autotask: _link, ...data } = ticket;
      await deps.takePcsmTicket(connector.id, data as PcsmTicket);
      report.pcsmChanges += 1;
      if (updatedAt > newest) newest = updatedAt;
    }
    if (pages >= MAX_PCSM_PAGES) break;
  }
  report.pcsmCalls += session.requestCount;
  if (pages >= MAX_PCSM_PAGES) {
    report.truncated.push('pcsm');
    return;
  }
  await deps.store.watermarks.advance(connector.id, 'pcsm', newest, []);
}

/** Autotask returns UTC timestamps, sometimes without a zone designator. */
function autotaskTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

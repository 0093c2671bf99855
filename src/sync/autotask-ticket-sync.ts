import type { AutotaskSession } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { externalIdPrefix } from '../mapping/external-id';
import { reverseStatus, statusesInSync } from '../mapping/status-round-trip';
import { rmmAdapter } from '../rmm/registry';
import type { RmmSession } from '../rmm/session';
import type { Store } from '../store';
import type { TicketLink } from '../store/ticket-links';
import { SyncRefusedError } from './errors';

export type AutotaskChangeOutcome =
  | 'rmm-updated'
  | 'in-sync'
  | 'unmapped-status'
  | 'not-supported'
  | 'not-ours'
  | 'autotask-ticket-gone'
  | 'rmm-ticket-gone';

export interface AutotaskTicketSyncDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): AutotaskSession;
  rmmSession(connector: Connector): RmmSession;
}

/**
 * Autotask said a ticket changed (webhook, callout or reconciliation): re-read it, and bring the
 * linked RMM tickets' status along when the associations say it means something else there. One
 * Autotask ticket may stand for several RMM tickets (recurrences): each is brought along.
 */
export class AutotaskTicketSync {
  constructor(private readonly deps: AutotaskTicketSyncDeps) {}

  async handle(connectorId: string, autotaskTicketId: number): Promise<{ outcome: AutotaskChangeOutcome; detail?: string }> {
    const connector = await this.deps.connectors.get(connectorId);
    if (!connector) throw new SyncRefusedError(`connector ${connectorId} no longer exists`);
    return this.apply(connector, autotaskTicketId);
  }

  private async apply(connector: Connector, autotaskTicketId: number): Promise<{ outcome: AutotaskChangeOutcome; detail?: string }> {
    const { store } = this.deps;
    const { product } = rmmAdapter(connector.rmm.kind).vocabulary;
    // The trigger carries nothing we trust: the ticket as Autotask has it now is the truth.
    const ticket = await this.deps.autotaskSession(connector).getTicket(autotaskTicketId);
    if (!ticket) return { outcome: 'autotask-ticket-gone' };
    const links = await this.linksFor(connector, autotaskTicketId, typeof ticket.externalID === 'string' ? ticket.externalID : null);
    if (links.length === 0) return { outcome: 'not-ours' };
    const status = Number(ticket.status);
    const ticketNumber = typeof ticket.ticketNumber === 'string' ? ticket.ticketNumber : null;
    for (const link of links) await store.ticketLinks.recordAutotaskStatus(connector.id, link.rmmTicketId, status, ticketNumber);

    const target = reverseStatus(connector.mappings, status);
    if (target === null) {
      return { outcome: 'unmapped-status', detail: `Autotask status ${status} is associated with no ${product} status; the ${product} side was left as it is` };
    }
    const rmm = this.deps.rmmSession(connector);
    const changed: string[] = [];
    const outcomes = new Set<AutotaskChangeOutcome>();
    for (const link of links) {
      // The RMM status the link last applied already means this Autotask status (our own write coming
      // back, or a change of another field): nothing to bring along, and no RMM call spent to learn it.
      // A newer RMM state, if any, is on its way to Autotask and settles the ticket from that side.
      if (link.rmmStatus && statusesInSync(connector.mappings, link.rmmStatus, status)) {
        outcomes.add('in-sync');
        continue;
      }
      const rmmTicket = await rmm.getTicket(link.rmmTicketId);
      if (!rmmTicket) {
        outcomes.add('rmm-ticket-gone');
        continue;
      }
      if (statusesInSync(connector.mappings, rmmTicket.status, status)) {
        outcomes.add('in-sync');
        continue;
      }
      const result = await rmm.applyStatus(link.rmmTicketId, target, { ticketId: autotaskTicketId, ticketNumber }, rmmTicket);
      if (result === 'changed') changed.push(`${link.rmmTicketId}: ${rmmTicket.status} → ${target}`);
      outcomes.add(result === 'changed' ? 'rmm-updated' : result === 'unchanged' ? 'in-sync' : 'not-supported');
    }
    if (changed.length > 0) return { outcome: 'rmm-updated', detail: `${product} ${changed.join('; ')}` };
    if (outcomes.has('not-supported')) return { outcome: 'not-supported', detail: `${product} cannot take status "${target}"; nothing was changed there` };
    return { outcome: outcomes.has('in-sync') ? 'in-sync' : 'rmm-ticket-gone' };
  }

  /** By Autotask id; else by the externalID we stamped (a link lost before it was stored). */
  private async linksFor(connector: Connector, autotaskTicketId: number, externalId: string | null): Promise<TicketLink[]> {
    const byId = await this.deps.store.ticketLinks.listByAutotaskId(connector.id, autotaskTicketId);
    if (byId.length > 0) return byId;
    if (!externalId || !externalId.startsWith(externalIdPrefix(connector.id, rmmAdapter(connector.rmm.kind).externalIdTag))) return [];
    const byExternalId = await this.deps.store.ticketLinks.getByExternalId(connector.id, externalId);
    return byExternalId ? [byExternalId] : [];
  }
}

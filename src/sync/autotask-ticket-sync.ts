import type { AutotaskSession } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { externalIdPrefix } from '../mapping/external-id';
import { reverseStatus, statusesInSync } from '../mapping/status-round-trip';
import type { PcsmSession } from '../pcsm/types';
import type { Store } from '../store';
import type { TicketLink } from '../store/ticket-links';
import { SyncRefusedError } from './errors';

export type AutotaskChangeOutcome =
  | 'pcsm-updated'
  | 'in-sync'
  | 'unmapped-status'
  | 'not-ours'
  | 'autotask-ticket-gone'
  | 'pcsm-ticket-gone';

export interface AutotaskTicketSyncDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): AutotaskSession;
  pcsmSession(connector: Connector): PcsmSession;
}

/**
 * Autotask said a ticket changed (webhook, callout or reconciliation): re-read it, and bring the
 * linked PCSM ticket's status along when the associations say it means something else there.
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
    // The trigger carries nothing we trust: the ticket as Autotask has it now is the truth.
    const ticket = await this.deps.autotaskSession(connector).getTicket(autotaskTicketId);
    if (!ticket) return { outcome: 'autotask-ticket-gone' };
    const link = await this.linkFor(connector, autotaskTicketId, typeof ticket.externalID === 'string' ? ticket.externalID : null);
    if (!link) return { outcome: 'not-ours' };
    const status = Number(ticket.status);
    const ticketNumber = typeof ticket.ticketNumber === 'string' ? ticket.ticketNumber : null;
    await store.ticketLinks.recordAutotaskStatus(connector.id, link.pcsmTicketId, status, ticketNumber);

    const target = reverseStatus(connector.mappings, status);
    if (target === null) {
      return { outcome: 'unmapped-status', detail: `Autotask status ${status} is associated with no PCSM status; the PCSM ticket was left as it is` };
    }
    const pcsm = this.deps.pcsmSession(connector);
    const pcsmTicket = await pcsm.getTicket(link.pcsmTicketId);
    if (!pcsmTicket) return { outcome: 'pcsm-ticket-gone' };
    if (statusesInSync(connector.mappings, pcsmTicket.status, status)) return { outcome: 'in-sync' };
    await pcsm.updateTicket(link.pcsmTicketId, {
      status: target,
      autotask: { ticketId: autotaskTicketId, ticketNumber },
    });
    return { outcome: 'pcsm-updated', detail: `PCSM ticket ${link.pcsmTicketId}: ${pcsmTicket.status} → ${target}` };
  }

  /** By Autotask id; else by the externalID we stamped (a link lost before it was stored). */
  private async linkFor(connector: Connector, autotaskTicketId: number, externalId: string | null): Promise<TicketLink | null> {
    const byId = await this.deps.store.ticketLinks.getByAutotaskId(connector.id, autotaskTicketId);
    if (byId) return byId;
    if (!externalId || !externalId.startsWith(externalIdPrefix(connector.id))) return null;
    return this.deps.store.ticketLinks.getByExternalId(connector.id, externalId);
  }
}

import { Schema, type Connection, type Model } from 'mongoose';
import type { AutotaskTicketFields } from '../autotask/types';
import { isDuplicateKeyError } from './duplicate-key';

export interface TicketLink {
  connectorId: string;
  pcsmTicketId: string;
  externalId: string;
  autotaskTicketId: number;
  autotaskTicketNumber: string | null;
  /** PCSM `updatedAt` of the state last written to Autotask. */
  appliedUpdatedAt: Date;
  /** The Autotask ticket's fields as far as we know: what we wrote, and statuses read back from Autotask. */
  appliedFields: Partial<AutotaskTicketFields>;
  /** What the last applied PCSM state mapped to: a field is sent only when PCSM changed it. */
  appliedSource?: Partial<AutotaskTicketFields>;
  lastSyncedAt: Date;
  /** When PCSM was told which Autotask ticket this is (null until then). */
  pcsmNotifiedAt?: Date | null;
}

const schema = new Schema<TicketLink>(
  {
    connectorId: { type: String, required: true },
    pcsmTicketId: { type: String, required: true },
    externalId: { type: String, required: true },
    autotaskTicketId: { type: Number, required: true },
    autotaskTicketNumber: { type: String, default: null },
    appliedUpdatedAt: { type: Date, required: true },
    appliedFields: { type: Schema.Types.Mixed, required: true },
    appliedSource: { type: Schema.Types.Mixed, default: null },
    lastSyncedAt: { type: Date, required: true },
    pcsmNotifiedAt: { type: Date, default: null },
  },
  { collection: 'ticket_links', versionKey: false, autoIndex: false, minimize: false },
);
schema.index({ connectorId: 1, pcsmTicketId: 1 }, { unique: true });
schema.index({ connectorId: 1, autotaskTicketId: 1 }, { unique: true });
schema.index({ connectorId: 1, externalId: 1 });

/** PCSM ticket ↔ Autotask ticket, one per (connector, PCSM ticket). */
export class TicketLinkStore {
  readonly model: Model<TicketLink>;

  constructor(connection: Connection) {
    this.model = connection.model<TicketLink>('TicketLink', schema);
  }

  async get(connectorId: string, pcsmTicketId: string): Promise<TicketLink | null> {
    return this.model.findOne({ connectorId, pcsmTicketId }).lean();
  }

  async getByAutotaskId(connectorId: string, autotaskTicketId: number): Promise<TicketLink | null> {
    return this.model.findOne({ connectorId, autotaskTicketId }).lean();
  }

  async getByExternalId(connectorId: string, externalId: string): Promise<TicketLink | null> {
    return this.model.findOne({ connectorId, externalId }).lean();
  }

  /**
   * What the Autotask ticket's status is now, as read from Autotask: the PCSM → Autotask direction
   * compares against it, so a status a technician set is not overwritten by its own echo.
   */
  async recordAutotaskStatus(connectorId: string, pcsmTicketId: string, status: number, ticketNumber: string | null): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId },
      { $set: { 'appliedFields.status': status, ...(ticketNumber ? { autotaskTicketNumber: ticketNumber } : {}), lastSyncedAt: new Date() } },
    );
  }

  async markPcsmNotified(connectorId: string, pcsmTicketId: string): Promise<void> {
    await this.model.updateOne({ connectorId, pcsmTicketId }, { $set: { pcsmNotifiedAt: new Date() } });
  }

  /** Records the link once the Autotask ticket exists; a second call for the same ticket keeps the first link. */
  async link(link: TicketLink): Promise<TicketLink> {
    const key = { connectorId: link.connectorId, pcsmTicketId: link.pcsmTicketId };
    try {
      const doc = await this.model
        .findOneAndUpdate(key, { $setOnInsert: link }, { upsert: true, returnDocument: 'after' })
        .lean();
      if (doc) return doc;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const doc = await this.model.findOne(key).lean();
    if (!doc) throw new Error(`ticket link ${link.connectorId}/${link.pcsmTicketId} vanished while linking`);
    return doc;
  }

  /**
   * Moves the applied state forward only (a late writer never rolls it back) and records the fields
   * this write sent — only those, so a status read from Autotask meanwhile is not overwritten.
   */
  async recordApplied(
    connectorId: string,
    pcsmTicketId: string,
    appliedUpdatedAt: Date,
    written: Partial<AutotaskTicketFields>,
    source: Partial<AutotaskTicketFields>,
  ): Promise<void> {
    const fields = Object.fromEntries(Object.entries(written).map(([name, value]) => [`appliedFields.${name}`, value]));
    await this.model.updateOne(
      { connectorId, pcsmTicketId, appliedUpdatedAt: { $lt: appliedUpdatedAt } },
      { $set: { ...fields, appliedSource: source, appliedUpdatedAt, lastSyncedAt: new Date() } },
    );
  }
}

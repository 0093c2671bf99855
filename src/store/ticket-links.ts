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
  /** The Autotask fields last written, so an update that changes nothing costs no call. */
  appliedFields: Partial<AutotaskTicketFields>;
  lastSyncedAt: Date;
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
    lastSyncedAt: { type: Date, required: true },
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

  /** Moves the applied state forward only: a late writer never rolls it back. */
  async recordApplied(
    connectorId: string,
    pcsmTicketId: string,
    appliedUpdatedAt: Date,
    appliedFields: Partial<AutotaskTicketFields>,
  ): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId, appliedUpdatedAt: { $lt: appliedUpdatedAt } },
      { $set: { appliedUpdatedAt, appliedFields, lastSyncedAt: new Date() } },
    );
  }
}

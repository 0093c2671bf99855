import { Schema, type Connection, type Model } from 'mongoose';
import type { PcsmTicket } from '../pcsm/events';
import { isDuplicateKeyError } from './duplicate-key';

/**
 * The work item behind one PCSM ticket: the newest state PCSM reported (`desired`), who is
 * applying it (`lease`), and — written before the POST — the create that may be in flight.
 */
export interface SyncIntent {
  connectorId: string;
  pcsmTicketId: string;
  desired: PcsmTicket | null;
  desiredUpdatedAt: Date;
  desiredEventId: string | null;
  /** When `desired` last changed, on our clock: the debounce measures quiet from here. */
  desiredChangedAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date;
  createStartedAt: Date | null;
  createSnapshotUpdatedAt: Date | null;
  lastError: string | null;
  failedAt: Date | null;
  /** The desired state that failed permanently; the same state is not sent again until the configuration changes. */
  failedForUpdatedAt: Date | null;
}

const schema = new Schema<SyncIntent>(
  {
    connectorId: { type: String, required: true },
    pcsmTicketId: { type: String, required: true },
    desired: { type: Schema.Types.Mixed, default: null },
    desiredUpdatedAt: { type: Date, required: true },
    desiredEventId: { type: String, default: null },
    desiredChangedAt: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
    createStartedAt: { type: Date, default: null },
    createSnapshotUpdatedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    failedAt: { type: Date, default: null },
    failedForUpdatedAt: { type: Date, default: null },
  },
  { collection: 'sync_intents', versionKey: false, autoIndex: false, minimize: false },
);
schema.index({ connectorId: 1, pcsmTicketId: 1 }, { unique: true });

const EPOCH = new Date(0);

export class SyncIntentStore {
  readonly model: Model<SyncIntent>;

  constructor(connection: Connection) {
    this.model = connection.model<SyncIntent>('SyncIntent', schema);
  }

  async get(connectorId: string, pcsmTicketId: string): Promise<SyncIntent | null> {
    return this.model.findOne({ connectorId, pcsmTicketId }).lean();
  }

  /**
   * Remembers `ticket` as the state to reach unless a newer one is already recorded.
   * Returns false when the stored state is newer or the same (the event is stale).
   */
  async recordDesired(connectorId: string, ticket: PcsmTicket, eventId: string): Promise<boolean> {
    const key = { connectorId, pcsmTicketId: ticket.id };
    const updatedAt = new Date(ticket.updatedAt);
    try {
      await this.model.updateOne(
        key,
        {
          $setOnInsert: {
            desired: null,
            desiredUpdatedAt: EPOCH,
            desiredEventId: null,
            desiredChangedAt: EPOCH,
            leaseOwner: null,
            leaseUntil: EPOCH,
            createStartedAt: null,
            createSnapshotUpdatedAt: null,
            lastError: null,
            failedAt: null,
            failedForUpdatedAt: null,
          },
        },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const result = await this.model.updateOne(
      { ...key, desiredUpdatedAt: { $lt: updatedAt } },
      { $set: { desired: ticket, desiredUpdatedAt: updatedAt, desiredEventId: eventId, desiredChangedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  /** One applier per PCSM ticket at a time; the lease expires so a crashed worker cannot block forever. */
  async acquireLease(connectorId: string, pcsmTicketId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const doc = await this.model
      .findOneAndUpdate(
        { connectorId, pcsmTicketId, $or: [{ leaseOwner: owner }, { leaseUntil: { $lte: now } }] },
        { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + ttlMs) } },
        { returnDocument: 'after' },
      )
      .lean();
    return doc?.leaseOwner === owner;
  }

  async releaseLease(connectorId: string, pcsmTicketId: string, owner: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId, leaseOwner: owner },
      { $set: { leaseOwner: null, leaseUntil: EPOCH } },
    );
  }

  /** Written before the POST: if we crash after Autotask commits, the next run looks before it creates. */
  async markCreateStarted(connectorId: string, pcsmTicketId: string, snapshotUpdatedAt: Date): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId },
      { $set: { createStartedAt: new Date(), createSnapshotUpdatedAt: snapshotUpdatedAt } },
    );
  }

  async clearCreate(connectorId: string, pcsmTicketId: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId },
      { $set: { createStartedAt: null, createSnapshotUpdatedAt: null } },
    );
  }

  async recordFailure(connectorId: string, pcsmTicketId: string, reason: string, forUpdatedAt: Date): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId },
      { $set: { lastError: reason, failedAt: new Date(), failedForUpdatedAt: forUpdatedAt } },
    );
  }

  async clearFailure(connectorId: string, pcsmTicketId: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId, lastError: { $ne: null } },
      { $set: { lastError: null, failedAt: null, failedForUpdatedAt: null } },
    );
  }
}

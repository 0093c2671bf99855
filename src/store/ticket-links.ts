import { Schema, type Connection, type Model } from 'mongoose';
import type { AutotaskTicketFields } from '../autotask/types';
import { isDuplicateKeyError } from './duplicate-key';
import { WriteBatch } from './write-batch';

/** Why the last attempt did not bring the Autotask ticket to the RMM's state, and when it is tried again. */
export interface TicketFailure {
  /** `refused`: Autotask (or the mappings) refused this state; `transient`: an outage, retried on its own. */
  kind: 'refused' | 'transient';
  reason: string;
  at: Date;
  /** The RMM `updatedAt` of the state that failed. */
  forUpdatedAt: Date;
  /** When it is tried again without a change: the backoff of a transient failure, the cool-down of a refusal. */
  nextAttemptAt: Date;
  /** Failures of this kind in a row. */
  count: number;
}

/**
 * One RMM ticket's record on the Autotask side: the link once the Autotask ticket exists, the
 * create intent before that, and the last failure. One document per (connector, RMM ticket), so a
 * create costs one write before the POST and one after.
 */
export interface TicketLink {
  connectorId: string;
  pcsmTicketId: string;
  externalId: string;
  /** null until the Autotask ticket exists (or is found after a create of unknown outcome). */
  autotaskTicketId: number | null;
  autotaskTicketNumber: string | null;
  /** RMM `updatedAt` of the state last written to Autotask (the epoch before the first write). */
  appliedUpdatedAt: Date;
  /** The Autotask ticket's fields as far as we know: what we wrote, and statuses read back from Autotask. */
  appliedFields: Partial<AutotaskTicketFields>;
  /** What the last applied RMM state mapped to: a field is sent only when the RMM changed it. */
  appliedSource?: Partial<AutotaskTicketFields> | null;
  lastSyncedAt: Date | null;
  /** When the RMM was told which Autotask ticket this is (null until then). */
  pcsmNotifiedAt?: Date | null;
  /**
   * Set just before a POST /Tickets: if the answer is lost (timeout, crash), the next run looks the
   * ticket up by externalID before it creates anything.
   */
  createStartedAt?: Date | null;
  /** RMM `updatedAt` of the state that create sent. */
  createSnapshotUpdatedAt?: Date | null;
  /**
   * Whether Autotask answered that create (a 5xx): the request is over and a look-up tells the
   * truth. Without an answer (a timeout, a crash) it may still be running on Autotask's side.
   */
  createAnswered?: boolean | null;
  failure?: TicketFailure | null;
}

export const EPOCH = new Date(0);

const schema = new Schema<TicketLink>(
  {
    connectorId: { type: String, required: true },
    pcsmTicketId: { type: String, required: true },
    externalId: { type: String, required: true },
    autotaskTicketId: { type: Number, default: null },
    autotaskTicketNumber: { type: String, default: null },
    appliedUpdatedAt: { type: Date, required: true },
    appliedFields: { type: Schema.Types.Mixed, default: {} },
    appliedSource: { type: Schema.Types.Mixed, default: null },
    lastSyncedAt: { type: Date, default: null },
    pcsmNotifiedAt: { type: Date, default: null },
    createStartedAt: { type: Date, default: null },
    createSnapshotUpdatedAt: { type: Date, default: null },
    createAnswered: { type: Boolean, default: null },
    failure: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'ticket_links', versionKey: false, autoIndex: false, minimize: false },
);
schema.index({ connectorId: 1, pcsmTicketId: 1 }, { unique: true });
// Not unique: a ticket being created has no Autotask id yet, and partial unique indexes are not portable.
schema.index({ connectorId: 1, autotaskTicketId: 1 });
schema.index({ connectorId: 1, externalId: 1 });
schema.index({ connectorId: 1, 'failure.kind': 1, pcsmTicketId: 1 });

export type CreateClaim = 'started' | 'taken';

/** A record before any Autotask ticket exists: nothing linked, applied, marked or failed. */
function unlinked(externalId: string) {
  return {
    externalId,
    autotaskTicketId: null,
    autotaskTicketNumber: null,
    appliedUpdatedAt: EPOCH,
    appliedFields: {},
    appliedSource: null,
    lastSyncedAt: null,
    pcsmNotifiedAt: null,
    createStartedAt: null,
    createSnapshotUpdatedAt: null,
    createAnswered: null,
    failure: null,
  };
}

/** RMM ticket ↔ Autotask ticket, one per (connector, RMM ticket). */
export class TicketLinkStore {
  readonly model: Model<TicketLink>;
  /** The per-ticket writes of concurrent jobs share commands (see WriteBatch). */
  private readonly writes: WriteBatch<TicketLink>;

  constructor(connection: Connection) {
    this.model = connection.model<TicketLink>('TicketLink', schema);
    this.writes = new WriteBatch(() => this.model.collection as never);
  }

  // The per-ticket hot path (get, beginCreate, recordCreated, recordApplied) talks to the driver's
  // collection directly: every field is written explicitly, and mongoose's casting and query
  // building cost more CPU than the command itself (bench:pipeline).
  private get collection() {
    return this.model.collection;
  }

  async get(connectorId: string, pcsmTicketId: string): Promise<TicketLink | null> {
    return (await this.collection.findOne({ connectorId, pcsmTicketId })) as TicketLink | null;
  }

  async getMany(connectorId: string, pcsmTicketIds: string[]): Promise<TicketLink[]> {
    if (pcsmTicketIds.length === 0) return [];
    return this.model.find({ connectorId, pcsmTicketId: { $in: pcsmTicketIds } }).lean();
  }

  async getByAutotaskId(connectorId: string, autotaskTicketId: number): Promise<TicketLink | null> {
    return this.model.findOne({ connectorId, autotaskTicketId }).lean();
  }

  async getByExternalId(connectorId: string, externalId: string): Promise<TicketLink | null> {
    return this.model.findOne({ connectorId, externalId, autotaskTicketId: { $ne: null } }).lean();
  }

  /**
   * Marks a create as started, unless another run already started one or the ticket is linked:
   * `taken` then (the caller re-reads instead of posting a second ticket). `expectNew`: no record
   * is expected (the common first create), so the mark is a plain insert; the unique key sends the
   * unexpected case to the conditional update.
   */
  async beginCreate(connectorId: string, pcsmTicketId: string, externalId: string, snapshotUpdatedAt: Date, options: { expectNew: boolean }): Promise<CreateClaim> {
    const mark = { createStartedAt: new Date(), createSnapshotUpdatedAt: snapshotUpdatedAt, createAnswered: null };
    if (options.expectNew && (await this.insertMarked(connectorId, pcsmTicketId, externalId, mark))) return 'started';
    // A record exists (a failure, an abandoned create): mark it only while nothing is linked or marked.
    const result = await this.collection.updateOne({ connectorId, pcsmTicketId, autotaskTicketId: null, createStartedAt: null }, { $set: mark });
    if (result.matchedCount === 1) return 'started';
    if (!options.expectNew && (await this.insertMarked(connectorId, pcsmTicketId, externalId, mark))) return 'started';
    return 'taken';
  }

  /** Inserts the record with the create mark; false when the (connector, ticket) key exists already. */
  private async insertMarked(connectorId: string, pcsmTicketId: string, externalId: string, mark: Record<string, unknown>): Promise<boolean> {
    const document = { connectorId, pcsmTicketId, ...unlinked(externalId), ...mark } as unknown as TicketLink;
    try {
      await this.writes.write({ insertOne: { document } });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** The create's outcome is unknown; `answered`: Autotask answered it (a 5xx), so it is over. */
  async recordCreateUnknown(connectorId: string, pcsmTicketId: string, answered: boolean): Promise<void> {
    await this.model.updateOne({ connectorId, pcsmTicketId, autotaskTicketId: null }, { $set: { createAnswered: answered } });
  }

  /** The create was refused or never sent: nothing exists in Autotask, the next run may POST again. */
  async abandonCreate(connectorId: string, pcsmTicketId: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId, autotaskTicketId: null },
      { $set: { createStartedAt: null, createSnapshotUpdatedAt: null, createAnswered: null } },
    );
  }

  /** The Autotask ticket exists (created now, or found by externalID): the link, the state it holds, no failure. */
  async recordCreated(
    connectorId: string,
    pcsmTicketId: string,
    created: {
      autotaskTicketId: number;
      autotaskTicketNumber: string | null;
      externalId: string;
      appliedUpdatedAt: Date;
      appliedFields: Partial<AutotaskTicketFields>;
      appliedSource: Partial<AutotaskTicketFields> | null;
    },
  ): Promise<void> {
    const fields = {
      ...created,
      lastSyncedAt: new Date(),
      createStartedAt: null,
      createSnapshotUpdatedAt: null,
      createAnswered: null,
      failure: null,
    };
    // The record exists: its create was marked before the POST (or found by that mark).
    await this.writes.write({ updateOne: { filter: { connectorId, pcsmTicketId }, update: { $set: fields } } });
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
    await this.writes.write({
      updateOne: {
        filter: { connectorId, pcsmTicketId, appliedUpdatedAt: { $lt: appliedUpdatedAt } },
        update: { $set: { ...fields, appliedSource: source, appliedUpdatedAt, lastSyncedAt: new Date(), failure: null } },
      },
    });
  }

  /** Remembers why the last attempt failed and when it is tried again; the record exists even before any create. */
  async recordFailure(
    connectorId: string,
    pcsmTicketId: string,
    externalId: string,
    failure: Omit<TicketFailure, 'count' | 'at'>,
  ): Promise<TicketFailure> {
    const existing = await this.model.findOne({ connectorId, pcsmTicketId }, { failure: 1 }).lean();
    const previous = existing?.failure;
    const record: TicketFailure = {
      ...failure,
      at: new Date(),
      count: previous && previous.kind === failure.kind ? previous.count + 1 : 1,
    };
    // `failure` is $set: the same path may not be in $setOnInsert too.
    const { failure: _set, ...onInsert } = unlinked(externalId);
    try {
      await this.model.updateOne(
        { connectorId, pcsmTicketId },
        {
          $set: { failure: record },
          $setOnInsert: onInsert,
        },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.model.updateOne({ connectorId, pcsmTicketId }, { $set: { failure: record } });
    }
    return record;
  }

  /** Refusals whose cool-down is over (reconciliation retries them), oldest first. */
  async refusalsDue(connectorId: string, now: Date, limit: number): Promise<TicketLink[]> {
    return this.model
      .find({ connectorId, 'failure.kind': 'refused', 'failure.nextAttemptAt': { $lte: now } })
      .sort({ 'failure.nextAttemptAt': 1 })
      .limit(limit)
      .lean();
  }

  /** Links with a failure of `kind`, in RMM ticket id order after `after`. */
  async failed(connectorId: string, kind: TicketFailure['kind'], after: string | null, limit: number): Promise<TicketLink[]> {
    return this.model
      .find({ connectorId, 'failure.kind': kind, ...(after === null ? {} : { pcsmTicketId: { $gt: after } }) })
      .sort({ pcsmTicketId: 1 })
      .limit(limit)
      .lean();
  }

  /**
   * What the Autotask ticket's status is now, as read from Autotask: the RMM → Autotask direction
   * compares against it, so a status a technician set is not overwritten by its own echo.
   */
  async recordAutotaskStatus(connectorId: string, pcsmTicketId: string, status: number, ticketNumber: string | null): Promise<void> {
    await this.model.updateOne(
      { connectorId, pcsmTicketId },
      { $set: { 'appliedFields.status': status, ...(ticketNumber ? { autotaskTicketNumber: ticketNumber } : {}), lastSyncedAt: new Date() } },
    );
  }

  /** Ticket numbers read in one batch, and which of those tickets the RMM has now been told about. */
  async recordTicketNumbers(connectorId: string, numbers: Array<{ pcsmTicketId: string; ticketNumber: string | null; notified: boolean }>): Promise<void> {
    if (numbers.length === 0) return;
    const now = new Date();
    await this.model.bulkWrite(
      numbers.map((entry) => ({
        updateOne: {
          filter: { connectorId, pcsmTicketId: entry.pcsmTicketId },
          update: {
            $set: {
              ...(entry.ticketNumber ? { autotaskTicketNumber: entry.ticketNumber } : {}),
              ...(entry.notified ? { pcsmNotifiedAt: now } : {}),
            },
          },
        },
      })),
      { ordered: false },
    );
  }
}

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

/** A ticket note is posted once per key; the link keeps the one in flight per slot (what the note is about). */
export type NoteSlot = 'status' | 'recurrence';
export interface NoteRecord {
  key: string;
  startedAt: Date;
  /** null while its POST may not have reached Autotask (a retry looks it up first). */
  postedAt: Date | null;
}

/** The recurrences an Autotask ticket has taken (on the link of the RMM ticket that opened it). */
export interface Recurrences {
  /** RMM ticket ids linked to this ticket as recurrences, in the order they came. */
  ids: string[];
  /** How many of them the last note counted. */
  noted: number;
  notedAt: Date | null;
}

/**
 * One RMM ticket's record on the Autotask side: the link once the Autotask ticket exists, the
 * create intent before that, and the last failure. One document per (connector, RMM ticket), so a
 * create costs one write before the POST and one after.
 */
export interface TicketLink {
  connectorId: string;
  rmmTicketId: string;
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
  rmmNotifiedAt?: Date | null;
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
  /** The RMM status of the state last applied (reconciliation confirms those it believes open). */
  rmmStatus?: string | null;
  /** Same device and monitored thing (see RmmTicket.recurrenceKey). */
  recurrenceKey?: string | null;
  /** This RMM ticket repeats that one and shares its Autotask ticket. */
  recurrenceOf?: string | null;
  recurrences?: Recurrences | null;
  /** The Autotask ticket was found complete: later recurrences get a ticket of their own. */
  recurrenceClosed?: boolean | null;
  /** Why the connector does not ticket it (e.g. the RMM's own PSA integration does). */
  skipped?: { reason: string; detail: string; at: Date } | null;
  notes?: Partial<Record<NoteSlot, NoteRecord>> | null;
}

export const EPOCH = new Date(0);

const schema = new Schema<TicketLink>(
  {
    connectorId: { type: String, required: true },
    rmmTicketId: { type: String, required: true },
    externalId: { type: String, required: true },
    autotaskTicketId: { type: Number, default: null },
    autotaskTicketNumber: { type: String, default: null },
    appliedUpdatedAt: { type: Date, required: true },
    appliedFields: { type: Schema.Types.Mixed, default: {} },
    appliedSource: { type: Schema.Types.Mixed, default: null },
    lastSyncedAt: { type: Date, default: null },
    rmmNotifiedAt: { type: Date, default: null },
    createStartedAt: { type: Date, default: null },
    createSnapshotUpdatedAt: { type: Date, default: null },
    createAnswered: { type: Boolean, default: null },
    failure: { type: Schema.Types.Mixed, default: null },
    rmmStatus: { type: String, default: null },
    recurrenceKey: { type: String, default: null },
    recurrenceOf: { type: String, default: null },
    recurrences: { type: Schema.Types.Mixed, default: null },
    recurrenceClosed: { type: Boolean, default: null },
    skipped: { type: Schema.Types.Mixed, default: null },
    notes: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'ticket_links', versionKey: false, autoIndex: false, minimize: false },
);
schema.index({ connectorId: 1, rmmTicketId: 1 }, { unique: true });
// Not unique: a ticket being created has no Autotask id yet, and partial unique indexes are not portable.
schema.index({ connectorId: 1, autotaskTicketId: 1 });
schema.index({ connectorId: 1, externalId: 1 });
schema.index({ connectorId: 1, 'failure.kind': 1, rmmTicketId: 1 });
schema.index({ connectorId: 1, recurrenceKey: 1 });
schema.index({ connectorId: 1, rmmStatus: 1, rmmTicketId: 1 });

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
    rmmNotifiedAt: null,
    createStartedAt: null,
    createSnapshotUpdatedAt: null,
    createAnswered: null,
    failure: null,
    rmmStatus: null,
    recurrenceKey: null,
    recurrenceOf: null,
    recurrences: null,
    recurrenceClosed: null,
    skipped: null,
    // An object, never null: a note's record is set as a subfield (`notes.status`).
    notes: {},
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

  async get(connectorId: string, rmmTicketId: string): Promise<TicketLink | null> {
    return (await this.collection.findOne({ connectorId, rmmTicketId })) as TicketLink | null;
  }

  async getMany(connectorId: string, rmmTicketIds: string[]): Promise<TicketLink[]> {
    if (rmmTicketIds.length === 0) return [];
    return this.model.find({ connectorId, rmmTicketId: { $in: rmmTicketIds } }).lean();
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
  async beginCreate(
    connectorId: string,
    rmmTicketId: string,
    externalId: string,
    snapshotUpdatedAt: Date,
    options: { expectNew: boolean; recurrenceKey?: string | null },
  ): Promise<CreateClaim> {
    const mark = { createStartedAt: new Date(), createSnapshotUpdatedAt: snapshotUpdatedAt, createAnswered: null, recurrenceKey: options.recurrenceKey ?? null };
    if (options.expectNew && (await this.insertMarked(connectorId, rmmTicketId, externalId, mark))) return 'started';
    // A record exists (a failure, an abandoned create): mark it only while nothing is linked or marked.
    const result = await this.collection.updateOne({ connectorId, rmmTicketId, autotaskTicketId: null, createStartedAt: null }, { $set: mark });
    if (result.matchedCount === 1) return 'started';
    if (!options.expectNew && (await this.insertMarked(connectorId, rmmTicketId, externalId, mark))) return 'started';
    return 'taken';
  }

  /** Inserts the record with the create mark; false when the (connector, ticket) key exists already. */
  private async insertMarked(connectorId: string, rmmTicketId: string, externalId: string, mark: Record<string, unknown>): Promise<boolean> {
    const document = { connectorId, rmmTicketId, ...unlinked(externalId), ...mark } as unknown as TicketLink;
    try {
      await this.writes.write({ insertOne: { document } });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** The create's outcome is unknown; `answered`: Autotask answered it (a 5xx), so it is over. */
  async recordCreateUnknown(connectorId: string, rmmTicketId: string, answered: boolean): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId, autotaskTicketId: null }, { $set: { createAnswered: answered } });
  }

  /** The create was refused or never sent: nothing exists in Autotask, the next run may POST again. */
  async abandonCreate(connectorId: string, rmmTicketId: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, rmmTicketId, autotaskTicketId: null },
      { $set: { createStartedAt: null, createSnapshotUpdatedAt: null, createAnswered: null } },
    );
  }

  /** The Autotask ticket exists (created now, or found by externalID): the link, the state it holds, no failure. */
  async recordCreated(
    connectorId: string,
    rmmTicketId: string,
    created: {
      autotaskTicketId: number;
      autotaskTicketNumber: string | null;
      externalId: string;
      appliedUpdatedAt: Date;
      appliedFields: Partial<AutotaskTicketFields>;
      appliedSource: Partial<AutotaskTicketFields> | null;
      rmmStatus: string | null;
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
    await this.writes.write({ updateOne: { filter: { connectorId, rmmTicketId }, update: { $set: fields } } });
  }

  /**
   * Moves the applied state forward only (a late writer never rolls it back) and records the fields
   * this write sent — only those, so a status read from Autotask meanwhile is not overwritten.
   */
  async recordApplied(
    connectorId: string,
    rmmTicketId: string,
    appliedUpdatedAt: Date,
    written: Partial<AutotaskTicketFields>,
    source: Partial<AutotaskTicketFields>,
    rmmStatus: string,
  ): Promise<void> {
    const fields = Object.fromEntries(Object.entries(written).map(([name, value]) => [`appliedFields.${name}`, value]));
    await this.writes.write({
      updateOne: {
        filter: { connectorId, rmmTicketId, appliedUpdatedAt: { $lt: appliedUpdatedAt } },
        update: { $set: { ...fields, appliedSource: source, appliedUpdatedAt, rmmStatus, lastSyncedAt: new Date(), failure: null } },
      },
    });
  }

  /** A ticket the connector does not write (the adapter said why): recorded once, counted, newest state only. */
  async recordSkipped(
    connectorId: string,
    rmmTicketId: string,
    externalId: string,
    skipped: { reason: string; detail: string; appliedUpdatedAt: Date; rmmStatus: string },
  ): Promise<void> {
    const set = {
      skipped: { reason: skipped.reason, detail: skipped.detail, at: new Date() },
      appliedUpdatedAt: skipped.appliedUpdatedAt,
      rmmStatus: skipped.rmmStatus,
      failure: null,
    };
    const moved = await this.model.updateOne({ connectorId, rmmTicketId, autotaskTicketId: null, appliedUpdatedAt: { $lt: skipped.appliedUpdatedAt } }, { $set: set });
    if (moved.matchedCount === 1) return;
    const { skipped: _s, appliedUpdatedAt: _a, rmmStatus: _r, failure: _f, ...onInsert } = unlinked(externalId);
    await this.model.updateOne({ connectorId, rmmTicketId }, { $setOnInsert: { ...onInsert, ...set } }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }

  /** How many tickets of the connector are skipped, by reason. */
  async countSkipped(connectorId: string): Promise<Record<string, number>> {
    const rows = await this.model.aggregate<{ _id: string; count: number }>([
      { $match: { connectorId, skipped: { $ne: null } } },
      { $group: { _id: '$skipped.reason', count: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((row) => [row._id, row.count]));
  }

  /** The newest linked ticket with this recurrence key whose Autotask ticket was not found complete. */
  async openRecurrenceTarget(connectorId: string, recurrenceKey: string, exceptRmmTicketId: string): Promise<TicketLink | null> {
    return this.model
      .findOne({
        connectorId,
        recurrenceKey,
        recurrenceOf: null,
        recurrenceClosed: { $ne: true },
        autotaskTicketId: { $ne: null },
        rmmTicketId: { $ne: exceptRmmTicketId },
      })
      .sort({ createSnapshotUpdatedAt: -1, appliedUpdatedAt: -1 })
      .lean();
  }

  async markRecurrenceClosed(connectorId: string, rmmTicketId: string): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId }, { $set: { recurrenceClosed: true } });
  }

  /** Links an RMM ticket to the Autotask ticket of the one it repeats (a retry changes nothing more). */
  async recordRecurrence(
    connectorId: string,
    rmmTicketId: string,
    recurrence: {
      externalId: string;
      autotaskTicketId: number;
      autotaskTicketNumber: string | null;
      recurrenceOf: string;
      appliedUpdatedAt: Date;
      appliedStatus: number;
      rmmStatus: string;
    },
  ): Promise<void> {
    const set = {
      autotaskTicketId: recurrence.autotaskTicketId,
      autotaskTicketNumber: recurrence.autotaskTicketNumber,
      recurrenceOf: recurrence.recurrenceOf,
      appliedUpdatedAt: recurrence.appliedUpdatedAt,
      appliedFields: { status: recurrence.appliedStatus },
      appliedSource: { status: recurrence.appliedStatus },
      rmmStatus: recurrence.rmmStatus,
      lastSyncedAt: new Date(),
      failure: null,
    };
    const linked = await this.model.updateOne({ connectorId, rmmTicketId, autotaskTicketId: null }, { $set: set });
    if (linked.matchedCount === 1) return;
    const { autotaskTicketId: _a, autotaskTicketNumber: _n, recurrenceOf: _o, appliedUpdatedAt: _u, appliedFields: _f, appliedSource: _s, rmmStatus: _r, lastSyncedAt: _l, failure: _x, ...onInsert } =
      unlinked(recurrence.externalId);
    await this.model.updateOne({ connectorId, rmmTicketId }, { $setOnInsert: { ...onInsert, ...set } }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }

  /** Counts a recurrence on the link of the RMM ticket that opened the Autotask ticket; the same one twice counts once. */
  async addRecurrence(connectorId: string, rmmTicketId: string, recurrenceId: string): Promise<void> {
    const initialised = await this.model.updateOne(
      { connectorId, rmmTicketId, recurrences: null },
      { $set: { recurrences: { ids: [recurrenceId], noted: 0, notedAt: null } } },
    );
    if (initialised.matchedCount === 1) return;
    await this.model.updateOne({ connectorId, rmmTicketId }, { $addToSet: { 'recurrences.ids': recurrenceId } });
  }

  /** The last recurrence note counted `noted` recurrences; never moves back. */
  async recordRecurrencesNoted(connectorId: string, rmmTicketId: string, noted: number, at: Date): Promise<void> {
    await this.model.updateOne(
      { connectorId, rmmTicketId, 'recurrences.noted': { $lt: noted } },
      { $set: { 'recurrences.noted': noted, 'recurrences.notedAt': at } },
    );
  }

  /** Every link to one Autotask ticket: the RMM ticket that opened it first, then its recurrences. */
  async listByAutotaskId(connectorId: string, autotaskTicketId: number): Promise<TicketLink[]> {
    const links = await this.model.find({ connectorId, autotaskTicketId }).lean();
    return links.sort((a, b) => Number(Boolean(a.recurrenceOf)) - Number(Boolean(b.recurrenceOf)));
  }

  /** Links whose last applied RMM status is one of `statuses`, in RMM ticket id order after `after`. */
  async withRmmStatus(connectorId: string, statuses: string[], after: string | null, limit: number): Promise<TicketLink[]> {
    return this.model
      .find({ connectorId, rmmStatus: { $in: statuses }, ...(after === null ? {} : { rmmTicketId: { $gt: after } }) })
      .sort({ rmmTicketId: 1 })
      .limit(limit)
      .lean();
  }

  /** The RMM no longer knows the ticket: reconciliation stops looking for it. */
  async forgetRmmStatus(connectorId: string, rmmTicketId: string): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId }, { $set: { rmmStatus: null } });
  }

  /** Records the note of `slot` as about to be posted. */
  async beginNote(connectorId: string, rmmTicketId: string, slot: NoteSlot, key: string): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId }, { $set: { [`notes.${slot}`]: { key, startedAt: new Date(), postedAt: null } } });
  }

  async finishNote(connectorId: string, rmmTicketId: string, slot: NoteSlot, key: string): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId }, { $set: { [`notes.${slot}`]: { key, startedAt: new Date(), postedAt: new Date() } } });
  }

  /** The POST was refused or never sent: nothing exists in Autotask. */
  async abandonNote(connectorId: string, rmmTicketId: string, slot: NoteSlot, key: string): Promise<void> {
    await this.model.updateOne({ connectorId, rmmTicketId, [`notes.${slot}.key`]: key }, { $set: { [`notes.${slot}`]: null } });
  }

  /** Remembers why the last attempt failed and when it is tried again; the record exists even before any create. */
  async recordFailure(
    connectorId: string,
    rmmTicketId: string,
    externalId: string,
    failure: Omit<TicketFailure, 'count' | 'at'>,
  ): Promise<TicketFailure> {
    const existing = await this.model.findOne({ connectorId, rmmTicketId }, { failure: 1 }).lean();
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
        { connectorId, rmmTicketId },
        {
          $set: { failure: record },
          $setOnInsert: onInsert,
        },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.model.updateOne({ connectorId, rmmTicketId }, { $set: { failure: record } });
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
      .find({ connectorId, 'failure.kind': kind, ...(after === null ? {} : { rmmTicketId: { $gt: after } }) })
      .sort({ rmmTicketId: 1 })
      .limit(limit)
      .lean();
  }

  /**
   * What the Autotask ticket's status is now, as read from Autotask: the RMM → Autotask direction
   * compares against it, so a status a technician set is not overwritten by its own echo.
   */
  async recordAutotaskStatus(connectorId: string, rmmTicketId: string, status: number, ticketNumber: string | null): Promise<void> {
    await this.model.updateOne(
      { connectorId, rmmTicketId },
      { $set: { 'appliedFields.status': status, ...(ticketNumber ? { autotaskTicketNumber: ticketNumber } : {}), lastSyncedAt: new Date() } },
    );
  }

  /** Ticket numbers read in one batch, and which of those tickets the RMM has now been told about. */
  async recordTicketNumbers(connectorId: string, numbers: Array<{ rmmTicketId: string; ticketNumber: string | null; notified: boolean }>): Promise<void> {
    if (numbers.length === 0) return;
    const now = new Date();
    await this.model.bulkWrite(
      numbers.map((entry) => ({
        updateOne: {
          filter: { connectorId, rmmTicketId: entry.rmmTicketId },
          update: {
            $set: {
              ...(entry.ticketNumber ? { autotaskTicketNumber: entry.ticketNumber } : {}),
              ...(entry.notified ? { rmmNotifiedAt: now } : {}),
            },
          },
        },
      })),
      { ordered: false },
    );
  }
}

import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key';

export type EventOutcome = 'pending' | 'applied' | 'stale' | 'failed';

interface ProcessedEventDoc {
  connectorId: string;
  eventId: string;
  type: string;
  subjectId: string;
  outcome: EventOutcome;
  detail: string | null;
  receivedAt: Date;
  finishedAt: Date | null;
  /** Explicit, so correctness never depends on the TTL monitor having run. */
  expiresAt: Date;
}

const schema = new Schema<ProcessedEventDoc>(
  {
    connectorId: { type: String, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    subjectId: { type: String, required: true },
    outcome: { type: String, required: true },
    detail: { type: String, default: null },
    receivedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'processed_events', versionKey: false, autoIndex: false },
);
schema.index({ connectorId: 1, eventId: 1 }, { unique: true });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

/** How long an event id is remembered: far longer than any sender keeps re-delivering it. */
const RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The inbox: one record per (connector, event id), so a re-delivered event has no second effect. */
export class ProcessedEventStore {
  readonly model: Model<ProcessedEventDoc>;

  constructor(connection: Connection) {
    this.model = connection.model<ProcessedEventDoc>('ProcessedEvent', schema);
  }

  /**
   * Records the event as being processed. `alreadyDone` is true when an earlier delivery already
   * reached a final outcome; a `pending` or `failed` record means an earlier run did not finish, so
   * this one carries on.
   */
  async claim(event: { connectorId: string; eventId: string; type: string; subjectId: string }, now = new Date()) {
    const key = { connectorId: event.connectorId, eventId: event.eventId };
    const insert = {
      type: event.type,
      subjectId: event.subjectId,
      outcome: 'pending' as EventOutcome,
      detail: null,
      receivedAt: now,
      finishedAt: null,
      expiresAt: new Date(now.getTime() + RETENTION_MS),
    };
    let doc: ProcessedEventDoc | null;
    try {
      doc = await this.model
        .findOneAndUpdate(key, { $setOnInsert: insert }, { upsert: true, returnDocument: 'after' })
        .lean();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      doc = await this.model.findOne(key).lean();
    }
    const outcome = doc?.outcome ?? 'pending';
    const live = doc !== null && doc.expiresAt.getTime() > now.getTime();
    return { alreadyDone: live && (outcome === 'applied' || outcome === 'stale'), outcome };
  }

  async finish(connectorId: string, eventId: string, outcome: Exclude<EventOutcome, 'pending'>, detail: string | null = null) {
    await this.model.updateOne({ connectorId, eventId }, { $set: { outcome, detail, finishedAt: new Date() } });
  }

  async get(connectorId: string, eventId: string) {
    return this.model.findOne({ connectorId, eventId }).lean();
  }
}

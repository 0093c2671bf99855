import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key';

/**
 * A create on the other side that was started: written before the POST so a retry after a lost
 * answer looks for the record first (Autotask has no idempotency key).
 */
export interface CreateIntent {
  connectorId: string;
  kind: 'company';
  /** What the created record stands for, e.g. the RMM site id. */
  subjectId: string;
  startedAt: Date;
}

const schema = new Schema<CreateIntent>(
  {
    connectorId: { type: String, required: true },
    kind: { type: String, required: true },
    subjectId: { type: String, required: true },
    startedAt: { type: Date, required: true },
  },
  { collection: 'create_intents', versionKey: false, autoIndex: false },
);
schema.index({ connectorId: 1, kind: 1, subjectId: 1 }, { unique: true });

export class CreateIntentStore {
  readonly model: Model<CreateIntent>;

  constructor(connection: Connection) {
    this.model = connection.model<CreateIntent>('CreateIntent', schema);
  }

  async started(connectorId: string, kind: CreateIntent['kind'], subjectId: string): Promise<boolean> {
    return (await this.model.countDocuments({ connectorId, kind, subjectId })) > 0;
  }

  async markStarted(connectorId: string, kind: CreateIntent['kind'], subjectId: string): Promise<void> {
    await this.model.updateOne(
      { connectorId, kind, subjectId },
      { $setOnInsert: { startedAt: new Date() } },
      { upsert: true },
    ).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }

  async clear(connectorId: string, kind: CreateIntent['kind'], subjectId: string): Promise<void> {
    await this.model.deleteOne({ connectorId, kind, subjectId });
  }
}

import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key';

export type WatermarkSource = 'autotask' | 'rmm';

export interface Watermark {
  connectorId: string;
  source: WatermarkSource;
  /** The newest change time seen, on the source system's own clock. */
  value: Date;
  /** Ids seen exactly at `value`, so the next run's inclusive query does not send them again. */
  idsAtValue: string[];
  updatedAt: Date;
}

const schema = new Schema<Watermark>(
  {
    connectorId: { type: String, required: true },
    source: { type: String, required: true },
    value: { type: Date, required: true },
    idsAtValue: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'watermarks', versionKey: false, autoIndex: false },
);
schema.index({ connectorId: 1, source: 1 }, { unique: true });

/** How far reconciliation has looked, per connector and system; kept in MongoDB so restarts lose nothing. */
export class WatermarkStore {
  readonly model: Model<Watermark>;

  constructor(connection: Connection) {
    this.model = connection.model<Watermark>('Watermark', schema);
  }

  async get(connectorId: string, source: WatermarkSource): Promise<Watermark | null> {
    return this.model.findOne({ connectorId, source }).lean();
  }

  /** Moves the watermark forward only; an older value (a slow run finishing late) changes nothing. */
  async advance(connectorId: string, source: WatermarkSource, value: Date, idsAtValue: string[]): Promise<void> {
    const set = { value, idsAtValue, updatedAt: new Date() };
    const moved = await this.model.updateOne({ connectorId, source, value: { $lte: value } }, { $set: set });
    if (moved.matchedCount === 1) return;
    await this.model.updateOne({ connectorId, source }, { $setOnInsert: set }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }
}

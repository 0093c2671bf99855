import { Schema, type Connection, type Model } from 'mongoose';
import type { Catalogue } from '../setup/catalogue';

const schema = new Schema<Catalogue>(
  {
    connectorId: { type: String, required: true },
    readAt: { type: Date, required: true },
    autotask: { type: Schema.Types.Mixed, required: true },
    rmm: { type: Schema.Types.Mixed, required: true },
    calls: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'catalogues', versionKey: false, autoIndex: false, minimize: false },
);
schema.index({ connectorId: 1 }, { unique: true });

/** The latest catalogue per connector; a refresh replaces it whole. */
export class CatalogueStore {
  readonly model: Model<Catalogue>;

  constructor(connection: Connection) {
    this.model = connection.model<Catalogue>('Catalogue', schema);
  }

  async get(connectorId: string): Promise<Catalogue | null> {
    return this.model.findOne({ connectorId }, { _id: 0 }).lean();
  }

  async put(catalogue: Catalogue): Promise<void> {
    await this.model.replaceOne({ connectorId: catalogue.connectorId }, catalogue, { upsert: true });
  }
}

import { Schema, type Connection, type Model } from 'mongoose';
import type { RmmSite } from '../rmm/types';
import { isDuplicateKeyError } from './duplicate-key';

export interface RmmSiteRecord {
  connectorId: string;
  siteId: string;
  name: string;
  description: string | null;
  updatedAt: Date;
  seenAt: Date;
}

const schema = new Schema<RmmSiteRecord>(
  {
    connectorId: { type: String, required: true },
    siteId: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: null },
    updatedAt: { type: Date, required: true },
    seenAt: { type: Date, required: true },
  },
  { collection: 'rmm_sites', versionKey: false, autoIndex: false },
);
schema.index({ connectorId: 1, siteId: 1 }, { unique: true });

/** The RMM sites (profiles) each connector has heard of, newest state wins; the setup offers them for association. */
export class RmmSiteStore {
  readonly model: Model<RmmSiteRecord>;

  constructor(connection: Connection) {
    this.model = connection.model<RmmSiteRecord>('RmmSite', schema);
  }

  /** Returns false when an equal or newer state of the site is already recorded. */
  async recordNewer(connectorId: string, site: RmmSite): Promise<boolean> {
    const updatedAt = new Date(site.updatedAt ?? Date.now());
    const state = { name: site.name, description: site.description ?? null, updatedAt, seenAt: new Date() };
    const newer = await this.model.updateOne({ connectorId, siteId: site.id, updatedAt: { $lt: updatedAt } }, { $set: state });
    if (newer.matchedCount === 1) return true;
    try {
      await this.model.create({ connectorId, siteId: site.id, ...state });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async list(connectorId: string): Promise<RmmSiteRecord[]> {
    return this.model.find({ connectorId }).sort({ name: 1 }).lean();
  }
}

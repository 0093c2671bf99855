import { Schema, type Connection, type Model } from 'mongoose';
import type { PcsmProfile } from '../pcsm/events';
import { isDuplicateKeyError } from './duplicate-key';

export interface PcsmProfileRecord {
  connectorId: string;
  profileId: string;
  name: string;
  description: string | null;
  updatedAt: Date;
  seenAt: Date;
}

const schema = new Schema<PcsmProfileRecord>(
  {
    connectorId: { type: String, required: true },
    profileId: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: null },
    updatedAt: { type: Date, required: true },
    seenAt: { type: Date, required: true },
  },
  { collection: 'pcsm_profiles', versionKey: false, autoIndex: false },
);
schema.index({ connectorId: 1, profileId: 1 }, { unique: true });

/** The PCSM profiles each connector has heard of, newest state wins; the setup offers them for association. */
export class PcsmProfileStore {
  readonly model: Model<PcsmProfileRecord>;

  constructor(connection: Connection) {
    this.model = connection.model<PcsmProfileRecord>('PcsmProfile', schema);
  }

  /** Returns false when an equal or newer state of the profile is already recorded. */
  async recordNewer(connectorId: string, profile: PcsmProfile): Promise<boolean> {
    const updatedAt = new Date(profile.updatedAt);
    const state = { name: profile.name, description: profile.description ?? null, updatedAt, seenAt: new Date() };
    const newer = await this.model.updateOne(
      { connectorId, profileId: profile.id, updatedAt: { $lt: updatedAt } },
      { $set: state },
    );
    if (newer.matchedCount === 1) return true;
    try {
      await this.model.create({ connectorId, profileId: profile.id, ...state });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async list(connectorId: string): Promise<PcsmProfileRecord[]> {
    return this.model.find({ connectorId }).sort({ name: 1 }).lean();
  }
}

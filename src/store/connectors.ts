import { Schema, type Connection, type Model } from 'mongoose';
import {
  REDACTED_SECRET,
  SECRET_FIELDS,
  type Connector,
  type ConnectorInput,
  type ConnectorSuspension,
  type MappingProblem,
  type Mappings,
  type NewProfilePolicy,
  type SecretField,
} from '../connector/configuration';
import { missingMappings } from '../connector/completeness';
import { rmmAdapter, type RmmConfig } from '../rmm/registry';
import type { RmmKind } from '../rmm/types';
import type { SecretBox } from './secret-box';

interface ConnectorDoc {
  _id: string;
  name: string;
  /** The RMM block with its secrets sealed. */
  rmm: Record<string, unknown> & { kind: RmmKind };
  autotask: {
    username: string;
    secret: string;
    integrationCode: string;
    zoneUrl: string | null;
    impersonationResourceId: number | null;
    webhookSecret: string | null;
  };
  callout: { username: string; password: string } | null;
  mappings: Mappings;
  newProfilePolicy: NewProfilePolicy;
  problems: MappingProblem[];
  suspension: ConnectorSuspension | null;
  /** Sites whose tickets could not become Autotask tickets for want of a company association. */
  unassociatedSites?: Array<{ id: string; name: string | null; since: Date }>;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const connectorSchema = new Schema<ConnectorDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    rmm: { type: Schema.Types.Mixed, required: true },
    autotask: { type: Schema.Types.Mixed, required: true },
    callout: { type: Schema.Types.Mixed, default: null },
    mappings: { type: Schema.Types.Mixed, required: true },
    newProfilePolicy: { type: String, required: true, default: 'manual' },
    problems: { type: Schema.Types.Mixed, default: [] },
    suspension: { type: Schema.Types.Mixed, default: null },
    unassociatedSites: { type: Schema.Types.Mixed, default: [] },
    revision: { type: Number, required: true },
  },
  { collection: 'connectors', timestamps: true, versionKey: false, minimize: false },
);

/** `configuration`: what the connector sends may differ now (refused work is worth a retry); `status`: only its health changed. */
export type ConnectorChange = 'configuration' | 'status';

/** The configuration as `GET /api/v1/connectors/{id}` shows it: every secret replaced by a marker. */
export type RedactedConnector = Omit<Connector, 'updatedAt'> & {
  revision: number;
  status: 'ok' | 'needs-attention';
  createdAt: string;
  updatedAt: string;
};

export class ConnectorStore {
  readonly model: Model<ConnectorDoc>;
  private readonly listeners: Array<(connectorId: string, what: ConnectorChange) => void> = [];

  constructor(connection: Connection, private readonly box: SecretBox) {
    this.model = connection.model<ConnectorDoc>('Connector', connectorSchema);
  }

  /** Called after every change this store makes to a connector (the runtime tells the other processes). */
  onChange(listener: (connectorId: string, what: ConnectorChange) => void): void {
    this.listeners.push(listener);
  }

  private changed(id: string, what: ConnectorChange): void {
    for (const listener of this.listeners) {
      try {
        listener(id, what);
      } catch {
        // A listener's trouble must not undo a saved change.
      }
    }
  }

  /**
   * Creates or replaces the connector whole. A secret sent back as the redaction marker keeps the
   * stored value, so an operator can GET, edit and PUT without re-typing every credential.
   */
  async put(id: string, input: ConnectorInput): Promise<{ created: boolean; missingSecrets: SecretField[] }> {
    const existing = await this.model.findById(id).lean();
    const missingSecrets: SecretField[] = [];
    const sealed = (field: SecretField, value: string | null | undefined): string | null => {
      if (value === null || value === undefined) return null;
      if (value === REDACTED_SECRET) {
        // A secret of another RMM is no secret of this one: a new RMM link needs all of its own.
        const otherRmm = field.startsWith('rmm.') && existing?.rmm?.kind !== input.rmm.kind;
        const kept = existing && !otherRmm ? readPath(existing, field) : null;
        if (typeof kept !== 'string') missingSecrets.push(field);
        return typeof kept === 'string' ? kept : null;
      }
      return this.box.seal(value, `${id}/${field}`);
    };
    const rmm: Record<string, unknown> = { ...input.rmm };
    for (const field of rmmAdapter(input.rmm.kind).secretFields) rmm[field] = sealed(`rmm.${field}`, rmm[field] as string | undefined);
    const doc = {
      ...(existing && existing.rmm?.kind !== input.rmm.kind ? { unassociatedSites: [] } : {}),
      name: input.name,
      rmm,
      autotask: {
        username: input.autotask.username,
        secret: sealed('autotask.secret', input.autotask.secret),
        integrationCode: sealed('autotask.integrationCode', input.autotask.integrationCode),
        zoneUrl: input.autotask.zoneUrl ?? null,
        impersonationResourceId: input.autotask.impersonationResourceId ?? null,
        webhookSecret: sealed('autotask.webhookSecret', input.autotask.webhookSecret),
      },
      callout: input.callout
        ? { username: input.callout.username, password: sealed('callout.password', input.callout.password) }
        : null,
      mappings: input.mappings,
      newProfilePolicy: input.newProfilePolicy,
    };
    if (missingSecrets.length > 0) return { created: false, missingSecrets };
    await this.model.updateOne(
      { _id: id },
      { $set: doc, $inc: { revision: 1 } },
      { upsert: true, runValidators: false },
    );
    this.changed(id, 'configuration');
    return { created: existing === null, missingSecrets };
  }

  /** The connector with its secrets opened, for the workers and the signature checks. */
  async get(id: string): Promise<Connector | null> {
    const doc = await this.model.findById(id).lean();
    if (!doc) return null;
    const open = (field: SecretField, value: string | null): string | null =>
      value === null ? null : this.box.open(value, `${id}/${field}`);
    const rmm: Record<string, unknown> = { ...doc.rmm };
    for (const field of rmmAdapter(doc.rmm.kind).secretFields) {
      if (typeof rmm[field] === 'string') rmm[field] = open(`rmm.${field}`, rmm[field] as string);
    }
    return {
      id: doc._id,
      name: doc.name,
      rmm: rmm as unknown as RmmConfig,
      autotask: {
        ...doc.autotask,
        secret: open('autotask.secret', doc.autotask.secret) as string,
        integrationCode: open('autotask.integrationCode', doc.autotask.integrationCode) as string,
        webhookSecret: open('autotask.webhookSecret', doc.autotask.webhookSecret),
      },
      callout: doc.callout
        ? { username: doc.callout.username, password: open('callout.password', doc.callout.password) as string }
        : null,
      mappings: doc.mappings,
      newProfilePolicy: doc.newProfilePolicy ?? 'manual',
      problems: doc.problems ?? [],
      suspension: doc.suspension ?? null,
      revision: doc.revision,
      updatedAt: doc.updatedAt,
    };
  }

  /**
   * Replaces the mappings (and policy) as one document write: the setup's atomic apply. With `link`
   * (secrets in clear) the RMM link is replaced in the same write; a link to another RMM than the
   * one it `replaces` starts with no unassociated sites of its own.
   */
  async replaceMappings(
    id: string,
    mappings: Mappings,
    newProfilePolicy: NewProfilePolicy,
    problems: MappingProblem[],
    link?: { rmm: RmmConfig; replaces: RmmKind },
  ): Promise<boolean> {
    const linkFields: Record<string, unknown> = {};
    if (link) {
      const sealed: Record<string, unknown> = { ...link.rmm };
      for (const field of rmmAdapter(link.rmm.kind).secretFields) {
        const value = sealed[field];
        sealed[field] = typeof value === 'string' ? this.box.seal(value, `${id}/rmm.${field}`) : null;
      }
      linkFields.rmm = sealed;
      if (link.replaces !== link.rmm.kind) linkFields.unassociatedSites = [];
    }
    const result = await this.model.updateOne(
      { _id: id },
      { $set: { ...linkFields, mappings, newProfilePolicy, problems }, $inc: { revision: 1 } },
    );
    if (result.matchedCount === 1) this.changed(id, 'configuration');
    return result.matchedCount === 1;
  }

  /** Records what the last catalogue check found; the connector only changes when the findings do. */
  async recordProblems(id: string, problems: MappingProblem[]): Promise<void> {
    const doc = await this.model.findById(id, { problems: 1 }).lean();
    if (!doc || JSON.stringify(doc.problems ?? []) === JSON.stringify(problems)) return;
    await this.model.updateOne({ _id: id }, { $set: { problems } });
    this.changed(id, 'status');
  }

  /** A ticket of this site could not be ticketed for want of an association: the connector's problems name the site. */
  async recordUnassociatedSite(id: string, site: { id: string; name: string | null }): Promise<void> {
    const result = await this.model.updateOne(
      { _id: id, 'unassociatedSites.id': { $ne: site.id } },
      { $push: { unassociatedSites: { id: site.id, name: site.name, since: new Date() } } },
    );
    if (result.modifiedCount === 1) this.changed(id, 'status');
  }

  /** The connector's credentials were refused: it needs attention, and its work waits. Only the first refusal is recorded. */
  async recordSuspension(id: string, suspension: ConnectorSuspension): Promise<boolean> {
    const result = await this.model.updateOne({ _id: id, suspension: null }, { $set: { suspension } });
    if (result.modifiedCount === 1) this.changed(id, 'status');
    return result.modifiedCount === 1;
  }

  async clearSuspension(id: string): Promise<boolean> {
    const result = await this.model.updateOne({ _id: id, suspension: { $ne: null } }, { $set: { suspension: null } });
    if (result.modifiedCount === 1) this.changed(id, 'status');
    return result.modifiedCount === 1;
  }

  /** Replaces one stored secret (sealed like the rest), e.g. a generated webhook secret. */
  async setSecret(id: string, field: SecretField, value: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { [field]: this.box.seal(value, `${id}/${field}`) } });
    this.changed(id, 'configuration');
  }

  /** Adds one profile association unless the profile already has one (a retry adds nothing). */
  async addProfileAssociation(id: string, profileId: string, companyId: number): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: id, 'mappings.profiles.profileId': { $ne: profileId } },
      { $push: { 'mappings.profiles': { profileId, companyId } }, $inc: { revision: 1 } },
    );
    if (result.modifiedCount === 1) this.changed(id, 'configuration');
    return result.modifiedCount === 1;
  }

  async listIds(): Promise<string[]> {
    return (await this.model.find({}, { _id: 1 }).lean()).map((doc) => doc._id);
  }

  async getRedacted(id: string): Promise<RedactedConnector | null> {
    const doc = await this.model.findById(id).lean();
    if (!doc) return null;
    const copy = structuredClone(doc) as unknown as Record<string, unknown>;
    for (const field of SECRET_FIELDS) {
      if (typeof readPath(copy, field) === 'string') writePath(copy, field, REDACTED_SECRET);
    }
    const { _id, createdAt, updatedAt, problems, suspension, unassociatedSites, ...rest } = copy as unknown as ConnectorDoc;
    const adapter = rmmAdapter(rest.rmm.kind);
    const associated = new Set(rest.mappings.profiles.map((row) => row.profileId));
    const { product, site, ticket } = adapter.vocabulary;
    const found = [
      ...(suspension ? [{ mapping: suspension.system, reason: suspension.reason }] : []),
      ...missingMappings(rest.mappings, adapter),
      ...(problems ?? []),
      // Sites associated since are fine again; their refused tickets are retried on the change.
      ...(unassociatedSites ?? [])
        .filter((unassociated) => !associated.has(unassociated.id))
        .map((unassociated) => ({
          mapping: 'profiles',
          reason: `${product} ${site} ${unassociated.name ? `"${unassociated.name}" (${unassociated.id})` : unassociated.id} has ${ticket}s but no associated Autotask company: they make no tickets until it is associated`,
        })),
    ];
    return {
      id: _id,
      ...rest,
      rmm: rest.rmm as unknown as RmmConfig,
      newProfilePolicy: rest.newProfilePolicy ?? 'manual',
      status: found.length > 0 ? 'needs-attention' : 'ok',
      problems: found,
      suspension: suspension ?? null,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    };
  }
}

function readPath(doc: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc);
}

function writePath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, doc);
  parent[last] = value;
}

import { z } from 'zod';
import type { ConnectedSystem } from '../failure/outcome';
import { ADAPTERS, rmmAdapter, rmmConfigSchema, type RmmConfig } from '../rmm/registry';
import { RMM_KINDS, rmmSeveritySchema, type RmmKind } from '../rmm/types';

/** Autotask picklist values and entity ids are positive integers (ids, never labels). */
const autotaskId = z.number().int().nonnegative();

/**
 * The associations. Rows name their RMM side `rmm` (a PCSM status or severity, a Datto RMM status
 * or priority); `profiles` keeps its name for every RMM (a Datto RMM site uid is its `profileId`).
 */
export const mappingsSchema = z
  .object({
    profiles: z.array(z.object({ profileId: z.string().min(1), companyId: autotaskId }).strict()).default([]),
    queueId: autotaskId.nullable().default(null),
    statuses: z.array(z.object({ rmm: z.string().min(1), autotask: autotaskId }).strict()).default([]),
    reverseStatuses: z.array(z.object({ autotask: autotaskId, rmm: z.string().min(1) }).strict()).default([]),
    severities: z.array(z.object({ rmm: rmmSeveritySchema, autotask: autotaskId }).strict()).default([]),
    allocationCodeId: autotaskId.nullable().default(null),
  })
  .strict()
  .superRefine((m, ctx) => {
    const duplicates = (values: Array<string | number>, path: string) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        const key = String(value).toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [path, index], message: `duplicate association for ${value}` });
        seen.add(key);
      });
    };
    duplicates(m.profiles.map((p) => p.profileId), 'profiles');
    duplicates(m.statuses.map((s) => s.rmm), 'statuses');
    duplicates(m.severities.map((s) => s.rmm), 'severities');
    duplicates(m.reverseStatuses.map((s) => s.autotask), 'reverseStatuses');
  });

export type Mappings = z.infer<typeof mappingsSchema>;

/** What happens when the RMM reports a site (profile) nobody has associated yet. */
export const NEW_PROFILE_POLICIES = ['manual', 'associate-by-name', 'create-company'] as const;
export const newProfilePolicySchema = z.enum(NEW_PROFILE_POLICIES);
export type NewProfilePolicy = z.infer<typeof newProfilePolicySchema>;

/** A mapping that can no longer be used as saved, e.g. `statuses[3]` pointing at an inactive status. */
export interface MappingProblem {
  mapping: string;
  reason: string;
}

const secret = z.string().min(1).max(1024);

/** Body of `PUT /api/v1/connectors/{id}`: the whole connector, secrets in clear (write-only). */
export const connectorInputSchema = z
  .object({
    name: z.string().min(1).max(200),
    rmm: rmmConfigSchema,
    autotask: z
      .object({
        username: z.string().min(1).max(200),
        secret,
        integrationCode: secret,
        zoneUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
        impersonationResourceId: autotaskId.nullable().optional(),
        webhookSecret: secret.nullable().optional(),
      })
      .strict(),
    callout: z.object({ username: z.string().min(1), password: secret }).strict().nullable().optional(),
    mappings: mappingsSchema.default(mappingsSchema.parse({})),
    newProfilePolicy: newProfilePolicySchema.default('manual'),
  })
  .strict()
  .superRefine(
    (input, ctx) => {
      // Severities are the RMM's own values: PCSM's 1–5, Datto RMM's priority names. Judged even when
      // another field is wrong (the input is then only partly parsed), so one answer names every field.
      const judged = severitiesToJudge(input);
      if (!judged) return;
      const adapter = rmmAdapter(judged.kind);
      judged.rows.forEach((row, index) => {
        if (row !== null && typeof row === 'object' && 'rmm' in row && adapter.severities.parse(row.rmm) === null) {
          ctx.addIssue({
            code: 'custom',
            path: ['mappings', 'severities', index, 'rmm'],
            message: `not a ${adapter.vocabulary.product} ${adapter.vocabulary.severity}: one of ${adapter.severities.all.join(', ')}`,
          });
        }
      });
    },
    { when: (payload) => severitiesToJudge(payload.value) !== null },
  );

/** The RMM kind and the severity rows of a connector input, parsed or not; null when either is missing. */
function severitiesToJudge(input: unknown): { kind: RmmKind; rows: unknown[] } | null {
  const value = input as { rmm?: { kind?: unknown }; mappings?: { severities?: unknown } } | null;
  const kind = value?.rmm?.kind;
  const rows = value?.mappings?.severities;
  if (typeof kind !== 'string' || !(RMM_KINDS as readonly string[]).includes(kind) || !Array.isArray(rows)) return null;
  return { kind: kind as RmmKind, rows };
}

/**
 * The contract's earlier forms, still accepted on input: a top-level `pcsm` block means
 * `"rmm": { "kind": "pcsm", … }`, and a mapping row may name its RMM side `pcsm`. Anything
 * else passes through unchanged for the schema to judge.
 */
export function acceptEarlierForms(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const { pcsm, ...rest } = body;
  const next: Record<string, unknown> = rest;
  if (pcsm !== undefined) {
    // Both blocks at once is ambiguous: keep both so the strict schema names the extra one.
    if (body.rmm !== undefined) next.pcsm = pcsm;
    else next.rmm = isRecord(pcsm) ? { kind: 'pcsm', ...pcsm } : pcsm;
  }
  if (isRecord(body.mappings)) next.mappings = acceptEarlierMappings(body.mappings);
  return next;
}

/** Mapping rows that name their RMM side `pcsm` (the contract's first form). */
export function acceptEarlierMappings(mappings: unknown): unknown {
  if (!isRecord(mappings)) return mappings;
  const next: Record<string, unknown> = { ...mappings };
  for (const list of ['statuses', 'reverseStatuses', 'severities']) {
    const rows = mappings[list];
    if (!Array.isArray(rows)) continue;
    next[list] = rows.map((row) => {
      if (!isRecord(row) || !('pcsm' in row) || 'rmm' in row) return row;
      const { pcsm, ...others } = row;
      return { ...others, rmm: pcsm };
    });
  }
  return next;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a PUT body in any accepted form into the current one. */
export function parseConnectorInput(body: unknown) {
  return connectorInputSchema.safeParse(acceptEarlierForms(body));
}

export type ConnectorInput = z.infer<typeof connectorInputSchema>;

/** A connector as the workers use it: secrets decrypted, in memory only. */
export interface Connector {
  id: string;
  name: string;
  rmm: RmmConfig;
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
  /** Mappings the last catalogue check found unusable; sync refuses to send them. */
  problems: MappingProblem[];
  /** Set while a system refuses the connector's credentials: its work waits until they work again. */
  suspension: ConnectorSuspension | null;
  revision: number;
  updatedAt: Date;
}

export interface ConnectorSuspension {
  system: ConnectedSystem;
  reason: string;
  since: Date;
}

/** Secret fields by path; the same list drives encryption, redaction and "keep the stored value". */
export const SECRET_FIELDS: readonly string[] = [
  ...new Set(ADAPTERS.flatMap((adapter) => adapter.secretFields.map((field) => `rmm.${field}`))),
  'autotask.secret',
  'autotask.integrationCode',
  'autotask.webhookSecret',
  'callout.password',
];
export type SecretField = string;

/** What a PUT may send back in a secret field to keep the stored value (a GET shows this). */
export const REDACTED_SECRET = '[redacted]';

/** Fields a GET shows that the server owns: a PUT may carry them back unchanged, and they are ignored. */
export const SERVER_OWNED_FIELDS = ['id', 'revision', 'status', 'problems', 'suspension', 'budget', 'skipped', 'createdAt', 'updatedAt'];

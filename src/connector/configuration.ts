import { z } from 'zod';

/** Autotask picklist values and entity ids are positive integers (ids, never labels). */
const autotaskId = z.number().int().nonnegative();

export const mappingsSchema = z
  .object({
    profiles: z.array(z.object({ profileId: z.string().min(1), companyId: autotaskId }).strict()).default([]),
    queueId: autotaskId.nullable().default(null),
    statuses: z.array(z.object({ pcsm: z.string().min(1), autotask: autotaskId }).strict()).default([]),
    reverseStatuses: z.array(z.object({ autotask: autotaskId, pcsm: z.string().min(1) }).strict()).default([]),
    severities: z
      .array(z.object({ pcsm: z.number().int().min(1).max(5), autotask: autotaskId }).strict())
      .default([]),
    allocationCodeId: autotaskId.nullable().default(null),
  })
  .strict()
  .superRefine((m, ctx) => {
    const duplicates = (values: Array<string | number>, path: string) => {
      const seen = new Set<string | number>();
      values.forEach((value, index) => {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [path, index], message: `duplicate association for ${value}` });
        seen.add(value);
      });
    };
    duplicates(m.profiles.map((p) => p.profileId), 'profiles');
    duplicates(m.statuses.map((s) => s.pcsm), 'statuses');
    duplicates(m.severities.map((s) => s.pcsm), 'severities');
    duplicates(m.reverseStatuses.map((s) => s.autotask), 'reverseStatuses');
  });

export type Mappings = z.infer<typeof mappingsSchema>;

/** What happens when PCSM reports a profile nobody has associated yet. */
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
    pcsm: z
      .object({
        accountId: z.string().min(1),
        apiUrl: z.url({ protocol: /^https?$/ }),
        apiKey: secret,
        webhookSecret: secret,
      })
      .strict(),
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
  .strict();

export type ConnectorInput = z.infer<typeof connectorInputSchema>;

/** A connector as the workers use it: secrets decrypted, in memory only. */
export interface Connector {
  id: string;
  name: string;
  pcsm: { accountId: string; apiUrl: string; apiKey: string; webhookSecret: string };
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
  system: 'autotask' | 'pcsm';
  reason: string;
  since: Date;
}

/** Secret fields by path; the same list drives encryption, redaction and "keep the stored value". */
export const SECRET_FIELDS = [
  'pcsm.apiKey',
  'pcsm.webhookSecret',
  'autotask.secret',
  'autotask.integrationCode',
  'autotask.webhookSecret',
  'callout.password',
] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

/** What a PUT may send back in a secret field to keep the stored value (a GET shows this). */
export const REDACTED_SECRET = '[redacted]';

/** Fields a GET shows that the server owns: a PUT may carry them back unchanged, and they are ignored. */
export const SERVER_OWNED_FIELDS = ['id', 'revision', 'status', 'problems', 'suspension', 'budget', 'createdAt', 'updatedAt'];

import { z } from 'zod';

/**
 * The process environment, read once at boot. Every bad variable is reported together so an
 * operator fixes them in one go instead of one restart per typo.
 */
const secretsKey = z
  .string({ error: 'is required (32 bytes, base64 or hex)' })
  .transform((value, ctx) => {
    const key = decodeKey(value.trim());
    if (!key) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes encoded as base64 (44 chars) or hex (64 chars)' });
      return z.NEVER;
    }
    return key;
  });

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  MONGO_URL: url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/pcsm_autotask_sync'),
  ADMIN_TOKEN: z.string({ error: 'is required' }).min(16, 'must be at least 16 characters'),
  SECRETS_KEY: secretsKey,
  AUTOTASK_ZONE_LOOKUP_URL: url(['https:', 'http:']).default(
    'https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation',
  ),
  AUTOTASK_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(300),
  CATALOGUE_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(60).default(6 * 3600),
  PCSM_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'may only contain letters, digits, _ - { }')
    .default('pcsm-sync'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(5),
  SYNC_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  SYNC_MAX_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
  SYNC_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  SYNC_REFUSAL_COOLDOWN_MS: z.coerce.number().int().min(1000).max(86_400_000).default(15 * 60_000),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export type Config = Readonly<{
  port: number;
  host: string;
  redisUrl: string;
  mongoUrl: string;
  adminToken: string;
  secretsKey: Buffer;
  autotaskZoneLookupUrl: string;
  autotaskTimeoutMs: number;
  logLevel: string;
  reconcileIntervalSeconds: number;
  catalogueRefreshIntervalSeconds: number;
  pcsmTimeoutMs: number;
  queuePrefix: string;
  workerConcurrency: number;
  /** A ticket's updates are written once it has been quiet this long. */
  syncSettleMs: number;
  /** A ticket that keeps changing is still written this long after its first unwritten change. */
  syncMaxWaitMs: number;
  /** The widest spacing between two writes of one busy ticket. */
  syncMinIntervalMs: number;
  /** How long a refused ticket waits before reconciliation tries it again (doubling, up to 6 h). */
  syncRefusalCoolDownMs: number;
  /** Where a worker-only process serves /metrics and /healthz; unset: it serves nothing. */
  metricsPort: number | null;
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset: docker-compose passes `VAR=` for blanks.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    mongoUrl: e.MONGO_URL,
    adminToken: e.ADMIN_TOKEN,
    secretsKey: e.SECRETS_KEY,
    autotaskZoneLookupUrl: e.AUTOTASK_ZONE_LOOKUP_URL,
    autotaskTimeoutMs: e.AUTOTASK_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    catalogueRefreshIntervalSeconds: e.CATALOGUE_REFRESH_INTERVAL_SECONDS,
    pcsmTimeoutMs: e.PCSM_TIMEOUT_MS,
    queuePrefix: e.QUEUE_PREFIX,
    workerConcurrency: e.WORKER_CONCURRENCY,
    syncSettleMs: e.SYNC_SETTLE_MS,
    syncMaxWaitMs: e.SYNC_MAX_WAIT_MS,
    syncMinIntervalMs: e.SYNC_MIN_INTERVAL_MS,
    syncRefusalCoolDownMs: e.SYNC_REFUSAL_COOLDOWN_MS,
    metricsPort: e.METRICS_PORT ?? null,
  });
}

function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    return key.length === 32 ? key : null;
  }
  return null;
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The process environment, read once at boot. Every bad variable is reported together so an
 * operator fixes them in one go instead of one restart per typo.
 *
 * Secrets may also come from files (Docker and Kubernetes secrets): `ADMIN_TOKEN_FILE=/run/secrets/…`
 * instead of `ADMIN_TOKEN=…`, and likewise for every variable marked `fromFile` below.
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

// Messages never repeat the value: URLs and tokens may carry passwords.
const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

const int = (min: number, max?: number) => {
  const atLeast = z.coerce.number().int().min(min);
  return max === undefined ? atLeast : atLeast.max(max);
};

interface Setting<S extends z.ZodType> {
  /** The environment variable. */
  variable: string;
  schema: S;
  /** `<variable>_FILE` may name a file holding the value instead (a secret). */
  fromFile: boolean;
  /** The variable's earlier name, still read when the new one is not set (an install configured before the rename keeps working). */
  formerly?: string;
}
const plain = <S extends z.ZodType>(variable: string, schema: S): Setting<S> => ({ variable, schema, fromFile: false });
const secret = <S extends z.ZodType>(variable: string, schema: S): Setting<S> => ({ variable, schema, fromFile: true });

/** Every setting: its name in `Config`, its variable, and how the variable is read. */
const settings = {
  port: plain('PORT', int(0, 65535).default(3000)),
  host: plain('HOST', z.string().min(1).default('127.0.0.1')),
  redisUrl: secret('REDIS_URL', url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379')),
  mongoUrl: secret('MONGO_URL', url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/pcsm_autotask_sync')),
  adminToken: secret('ADMIN_TOKEN', z.string({ error: 'is required' }).min(16, 'must be at least 16 characters')),
  secretsKey: secret('SECRETS_KEY', secretsKey),
  autotaskZoneLookupUrl: plain(
    'AUTOTASK_ZONE_LOOKUP_URL',
    url(['https:', 'http:']).default('https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation'),
  ),
  autotaskTimeoutMs: plain('AUTOTASK_TIMEOUT_MS', int(100).default(30000)),
  logLevel: plain('LOG_LEVEL', z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info')),
  reconcileIntervalSeconds: plain('RECONCILE_INTERVAL_SECONDS', int(10).default(300)),
  catalogueRefreshIntervalSeconds: plain('CATALOGUE_REFRESH_INTERVAL_SECONDS', int(60).default(6 * 3600)),
  /** Per request to the RMM's API (PCSM, Datto RMM). */
  rmmTimeoutMs: { ...plain('RMM_TIMEOUT_MS', int(100).default(15000)), formerly: 'PCSM_TIMEOUT_MS' },
  queuePrefix: plain(
    'QUEUE_PREFIX',
    z
      .string()
      .regex(/^[A-Za-z0-9_{}-]+$/, 'may only contain letters, digits, _ - { }')
      .default('pcsm-sync'),
  ),
  workerConcurrency: plain('WORKER_CONCURRENCY', int(1, 200).default(5)),
  /** A ticket's updates are written once it has been quiet this long. */
  syncSettleMs: plain('SYNC_SETTLE_MS', int(0, 60_000).default(1000)),
  /** A ticket that keeps changing is still written this long after its first unwritten change. */
  syncMaxWaitMs: plain('SYNC_MAX_WAIT_MS', int(0, 3_600_000).default(120_000)),
  /** The widest spacing between two writes of one busy ticket. */
  syncMinIntervalMs: plain('SYNC_MIN_INTERVAL_MS', int(0, 3_600_000).default(60_000)),
  /** How long a refused ticket waits before reconciliation tries it again (doubling, up to 6 h). */
  syncRefusalCoolDownMs: plain('SYNC_REFUSAL_COOLDOWN_MS', int(1000, 86_400_000).default(15 * 60_000)),
  /** How long work held back by Autotask's hourly budget waits before it looks again. */
  autotaskBudgetRecheckSeconds: plain('AUTOTASK_BUDGET_RECHECK_SECONDS', int(1, 3600).default(300)),
  /** How old a ThresholdInformation reading may be before low-ranked work reads it again (never more often). */
  autotaskBudgetReadingSeconds: plain('AUTOTASK_BUDGET_READING_SECONDS', int(1, 3600).default(60)),
  /** A worker whose queue has jobs ready but started or finished none for this long is stalled (health 503, recreated). */
  workerStallSeconds: plain('WORKER_STALL_SECONDS', int(5, 86_400).default(60)),
  /** Where a worker-only process serves /metrics and /healthz; unset (null): it serves nothing. */
  metricsPort: plain(
    'METRICS_PORT',
    int(0, 65535)
      .optional()
      .transform((port) => port ?? null),
  ),
};

type Settings = typeof settings;
const configSchema = z.object(
  Object.fromEntries(Object.entries(settings).map(([key, setting]) => [key, setting.schema])) as {
    [K in keyof Settings]: Settings[K]['schema'];
  },
);

export type Config = Readonly<z.infer<typeof configSchema>>;

/** The environment variables `loadConfig` reads; `fromFile`: `<variable>_FILE` is read too. */
export const CONFIG_VARIABLES: ReadonlyArray<{ variable: string; fromFile: boolean }> = Object.values(settings).map(
  ({ variable, fromFile }) => ({ variable, fromFile }),
);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const input: Record<string, string> = {};
  /** Where a value read from a file came from, to name it in a complaint about the value. */
  const origins = new Map<string, string>();
  /** Settings already reported (both forms set, file unreadable): their value is not judged too. */
  const reported = new Set<string>();

  for (const [key, setting] of Object.entries(settings)) {
    const former = setting.formerly === undefined ? undefined : given(env, setting.formerly);
    const value = given(env, setting.variable) ?? former;
    if (former !== undefined && given(env, setting.variable) === undefined) origins.set(key, `${setting.formerly} (the earlier name of ${setting.variable})`);
    const fileVariable = `${setting.variable}_FILE`;
    const file = setting.fromFile ? given(env, fileVariable) : undefined;
    if (value !== undefined && file !== undefined) {
      problems.push(`${setting.variable} and ${fileVariable} are both set: set only one of them`);
      reported.add(key);
    } else if (file !== undefined) {
      const read = readSecretFile(file);
      if ('problem' in read) {
        problems.push(`${fileVariable} ${read.problem}`);
        reported.add(key);
      } else {
        input[key] = read.value;
        origins.set(key, `${setting.variable} (read from ${fileVariable}=${file})`);
      }
    } else if (value !== undefined) {
      input[key] = value;
    }
  }

  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]) as keyof Settings;
      if (reported.has(key)) continue;
      const setting = settings[key] as Setting<z.ZodType> | undefined;
      const name = origins.get(key) ?? setting?.variable ?? issue.path.join('.');
      const orFile = setting?.fromFile && input[key] === undefined ? ` (or ${setting.variable}_FILE naming a file that holds it)` : '';
      problems.push(`${name} ${issue.message}${orFile}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze(parsed.data);
}

/** A variable's value; empty counts as unset (docker compose passes `VAR=` for blanks). */
function given(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/** A secret file's content without its trailing newline (what `echo` and `openssl rand` leave). */
function readSecretFile(path: string): { value: string } | { problem: string } {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `names ${path}, which cannot be read${code ? ` (${code})` : ''}` };
  }
  const value = content.replace(/(\r?\n)+$/, '');
  if (value === '') return { problem: `names ${path}, which is empty` };
  return { value };
}

function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    return key.length === 32 ? key : null;
  }
  return null;
}

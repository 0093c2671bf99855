import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from '../../src/config';

const valid = {
  ADMIN_TOKEN: 'a-long-enough-admin-token',
  SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig', () => {
  it('applies the contract defaults when only the required variables are set', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      mongoUrl: 'mongodb://127.0.0.1:27017/pcsm_autotask_sync',
      autotaskZoneLookupUrl: 'https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation',
      logLevel: 'info',
      reconcileIntervalSeconds: 300,
    });
    expect(config.secretsKey).toEqual(Buffer.alloc(32, 7));
    expect(config.metricsPort).toBeNull();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable README documents, under the names the code uses', () => {
    const config: Config = loadConfig({
      ...valid,
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://:pw@redis:6379',
      MONGO_URL: 'mongodb://app:pw@mongo:27017/sync?authSource=admin',
      AUTOTASK_ZONE_LOOKUP_URL: 'http://127.0.0.1:4000/zoneInformation',
      AUTOTASK_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'debug',
      RECONCILE_INTERVAL_SECONDS: '60',
      CATALOGUE_REFRESH_INTERVAL_SECONDS: '3600',
      RMM_TIMEOUT_MS: '2000',
      QUEUE_PREFIX: '{sync}',
      WORKER_CONCURRENCY: '7',
      SYNC_SETTLE_MS: '10',
      SYNC_MAX_WAIT_MS: '20',
      SYNC_MIN_INTERVAL_MS: '30',
      SYNC_REFUSAL_COOLDOWN_MS: '4000',
      AUTOTASK_BUDGET_RECHECK_SECONDS: '120',
      AUTOTASK_BUDGET_READING_SECONDS: '90',
      WORKER_STALL_SECONDS: '45',
      METRICS_PORT: '9464',
    });
    expect({ ...config, secretsKey: undefined }).toEqual({
      port: 8080,
      host: '0.0.0.0',
      redisUrl: 'redis://:pw@redis:6379',
      mongoUrl: 'mongodb://app:pw@mongo:27017/sync?authSource=admin',
      adminToken: valid.ADMIN_TOKEN,
      secretsKey: undefined,
      autotaskZoneLookupUrl: 'http://127.0.0.1:4000/zoneInformation',
      autotaskTimeoutMs: 5000,
      logLevel: 'debug',
      reconcileIntervalSeconds: 60,
      catalogueRefreshIntervalSeconds: 3600,
      rmmTimeoutMs: 2000,
      queuePrefix: '{sync}',
      workerConcurrency: 7,
      syncSettleMs: 10,
      syncMaxWaitMs: 20,
      syncMinIntervalMs: 30,
      syncRefusalCoolDownMs: 4000,
      autotaskBudgetRecheckSeconds: 120,
      autotaskBudgetReadingSeconds: 90,
      workerStallSeconds: 45,
      metricsPort: 9464,
    });
  });

  it('accepts a hex SECRETS_KEY', () => {
    expect(loadConfig({ ...valid, SECRETS_KEY: 'ab'.repeat(32) }).secretsKey).toEqual(Buffer.alloc(32, 0xab));
  });

  it('names every missing or malformed variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://nope', SECRETS_KEY: 'short', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'REDIS_URL', 'SECRETS_KEY', 'LOG_LEVEL', 'ADMIN_TOKEN']) expect(problems).toContain(name);
  });

  it('still reads PCSM_TIMEOUT_MS, the earlier name of RMM_TIMEOUT_MS, when the new one is not set', () => {
    expect(loadConfig({ ...valid, PCSM_TIMEOUT_MS: '2500' }).rmmTimeoutMs).toBe(2500);
    expect(loadConfig({ ...valid, PCSM_TIMEOUT_MS: '2500', RMM_TIMEOUT_MS: '3000' }).rmmTimeoutMs).toBe(3000);
    expect(() => loadConfig({ ...valid, PCSM_TIMEOUT_MS: 'soon' })).toThrow(/PCSM_TIMEOUT_MS \(the earlier name of RMM_TIMEOUT_MS\)/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...valid, PORT: '', LOG_LEVEL: '' }).port).toBe(3000);
  });

  it('never echoes the secrets key in its error', () => {
    const secret = 'not-base64-secret-value!!';
    expect(() => loadConfig({ ...valid, SECRETS_KEY: secret })).toThrow(ConfigError);
    try {
      loadConfig({ ...valid, SECRETS_KEY: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  describe('secrets from files (*_FILE)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'config-test-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string) => {
      const at = path.join(dir, name);
      writeFileSync(at, content);
      return at;
    };
    const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
      throw new Error('loadConfig accepted the environment');
    };

    it('reads ADMIN_TOKEN, SECRETS_KEY, REDIS_URL and MONGO_URL from files, without the trailing newline', () => {
      const config = loadConfig({
        ADMIN_TOKEN_FILE: file('admin_token', 'token-from-a-file-0123\n'),
        SECRETS_KEY_FILE: file('secrets_key', `${'cd'.repeat(32)}\r\n`),
        REDIS_URL_FILE: file('redis_url', 'redis://:s3cret@redis:6379\n'),
        MONGO_URL_FILE: file('mongo_url', 'mongodb://app:s3cret@mongo:27017/pcsm_autotask_sync?authSource=admin'),
      });
      expect(config.adminToken).toBe('token-from-a-file-0123');
      expect(config.secretsKey).toEqual(Buffer.alloc(32, 0xcd));
      expect(config.redisUrl).toBe('redis://:s3cret@redis:6379');
      expect(config.mongoUrl).toBe('mongodb://app:s3cret@mongo:27017/pcsm_autotask_sync?authSource=admin');
    });

    it('keeps a secret\'s inner and leading characters: only trailing newlines go', () => {
      const config = loadConfig({ ...valid, ADMIN_TOKEN: undefined, ADMIN_TOKEN_FILE: file('t', ' spaced token, 16+ chars\n\n') });
      expect(config.adminToken).toBe(' spaced token, 16+ chars');
    });

    it('refuses a variable set both ways, naming both', () => {
      const problems = problemsOf({ ...valid, ADMIN_TOKEN_FILE: file('admin_token', 'another-long-admin-token\n') });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('ADMIN_TOKEN and ADMIN_TOKEN_FILE are both set');
    });

    it('refuses an unreadable or empty file, naming the variable and the path, with every other problem', () => {
      const missing = path.join(dir, 'no-such-file');
      const empty = file('empty', '\n');
      const problems = problemsOf({
        ADMIN_TOKEN: valid.ADMIN_TOKEN,
        SECRETS_KEY_FILE: missing,
        REDIS_URL_FILE: dir, // a directory cannot be read as a file
        MONGO_URL_FILE: empty,
        PORT: 'eighty',
      });
      expect(problems).toEqual([
        `REDIS_URL_FILE names ${dir}, which cannot be read (EISDIR)`,
        `MONGO_URL_FILE names ${empty}, which is empty`,
        `SECRETS_KEY_FILE names ${missing}, which cannot be read (ENOENT)`,
        expect.stringMatching(/^PORT /),
      ]);
    });

    it('judges a value read from a file like the variable, names the file and never echoes the content', () => {
      const content = 'not-a-key-but-a-secret!!';
      const at = file('secrets_key', `${content}\n`);
      const redis = file('redis_url', 'http://user:hunter2@redis\n');
      const problems = problemsOf({ ADMIN_TOKEN: valid.ADMIN_TOKEN, SECRETS_KEY_FILE: at, REDIS_URL_FILE: redis });
      expect(problems).toEqual([
        expect.stringContaining(`REDIS_URL (read from REDIS_URL_FILE=${redis}) must be a redis: or rediss: URL`),
        expect.stringContaining(`SECRETS_KEY (read from SECRETS_KEY_FILE=${at}) must be 32 bytes`),
      ]);
      expect(problems.join('\n')).not.toContain(content);
      expect(problems.join('\n')).not.toContain('hunter2');
    });

    it('mentions the _FILE form when a secret is missing', () => {
      expect(problemsOf({ SECRETS_KEY: valid.SECRETS_KEY })).toEqual([expect.stringContaining('ADMIN_TOKEN is required (or ADMIN_TOKEN_FILE')]);
    });

    it('offers files for the secrets only: other variables have no _FILE twin', () => {
      expect(CONFIG_VARIABLES.filter((v) => v.fromFile).map((v) => v.variable).sort()).toEqual(['ADMIN_TOKEN', 'MONGO_URL', 'REDIS_URL', 'SECRETS_KEY']);
      expect(loadConfig({ ...valid, PORT_FILE: file('port', '8080\n') }).port).toBe(3000);
    });
  });

  it('docker-compose.yml sets every variable (secrets through their _FILE twin)', () => {
    const compose = readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');
    const set = (name: string) => new RegExp(`^\\s+${name}:`, 'm').test(compose);
    const missing = CONFIG_VARIABLES.filter(({ variable, fromFile }) => !(fromFile ? set(`${variable}_FILE`) : set(variable)));
    expect(missing.map((v) => v.variable)).toEqual([]);
  });
});

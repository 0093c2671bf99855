import { ConfigError, loadConfig } from '../../src/config';

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
    expect(Object.isFrozen(config)).toBe(true);
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
});

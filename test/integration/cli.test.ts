import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXPORT_FORMAT, runCli } from '../../src/cli/cli';
import type { ConnectorInput } from '../../src/connector/configuration';
import { SEED_ACCOUNT, startDattoRmmSimulator, type DattoRmmSimulator } from '../../src/simulators/datto-rmm';
import { DATTO_SEEDED_MAPPINGS } from '../../src/simulators/seed-mappings';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';

const DATTO_WEBHOOK_SECRET = 'datto-webhook-secret-for-cli';

/** The CLI against a running api: export → import round trip without secrets, and the account check. */
describe('pcsm-autotask-sync connectors', () => {
  let stack: Stack;
  let datto: DattoRmmSimulator;
  let dir: string;

  beforeAll(async () => {
    stack = await startStack('cli', { worker: false });
    datto = await startDattoRmmSimulator({ port: 0 });
    await stack.putConnector('c1');
    dir = await mkdtemp(path.join(os.tmpdir(), 'pcsm-cli-'));
  });

  afterAll(async () => {
    await stack.close();
    await datto.close();
  });

  /** A Datto RMM connector wired to the Datto RMM simulator's seed and the Autotask simulator's. */
  const dattoInput = (rmm: Partial<{ apiKey: string; apiSecret: string }> = {}): ConnectorInput =>
    stack.input({
      name: 'Contoso MSP (Datto RMM)',
      rmm: { kind: 'datto-rmm', apiUrl: datto.url, ...datto.credentials, webhookSecret: DATTO_WEBHOOK_SECRET, ...rmm },
      mappings: structuredClone(DATTO_SEEDED_MAPPINGS),
    });

  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['--url', stack.url, ...argv], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { ADMIN_TOKEN },
    });
    return { code, stdout, stderr };
  };

  it('exports the configuration without any secret', async () => {
    const file = path.join(dir, 'c1.json');
    const result = await run('connectors', 'export', 'c1', '--output', file);
    expect(result.code).toBe(0);
    const text = await readFile(file, 'utf8');
    const exported = JSON.parse(text);
    expect(exported).toMatchObject({ format: EXPORT_FORMAT, id: 'c1', connector: { name: 'Contoso MSP', mappings: { queueId: 29683498 } } });
    const input = stack.input();
    for (const secret of [input.autotask.secret, input.autotask.integrationCode, input.rmm.apiKey, input.rmm.webhookSecret]) {
      expect(text).not.toContain(secret);
    }
  });

  it('imports an export as a new connector once its secrets are given, and refuses without them', async () => {
    const file = path.join(dir, 'c1.json');
    await run('connectors', 'export', 'c1', '--output', file);

    const refused = await run('connectors', 'import', file, '--id', 'c2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('autotask.secret');

    const input = stack.input();
    const secrets = path.join(dir, 'secrets.json');
    await writeFile(
      secrets,
      JSON.stringify({
        'rmm.apiKey': input.rmm.apiKey,
        'rmm.webhookSecret': input.rmm.webhookSecret,
        'autotask.secret': input.autotask.secret,
        'autotask.integrationCode': input.autotask.integrationCode,
        'autotask.webhookSecret': 'another-webhook-secret',
        'callout.password': 'another-callout-password',
      }),
    );
    const imported = await run('connectors', 'import', file, '--id', 'c2', '--secrets', secrets);
    expect(imported).toMatchObject({ code: 0, stdout: 'created connector c2\n' });
    const c1 = await stack.runtime.store.connectors.get('c1');
    const c2 = await stack.runtime.store.connectors.get('c2');
    expect(c2!.mappings).toEqual(c1!.mappings);
    expect(c2!.autotask.secret).toBe(input.autotask.secret);
  });

  it('imports an export made before Datto RMM (a top-level pcsm block, pcsm.* secret names) as a PCSM connector', async () => {
    const file = path.join(dir, 'c1.json');
    await run('connectors', 'export', 'c1', '--output', file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    const { kind, ...pcsm } = exported.connector.rmm;
    expect(kind).toBe('pcsm');
    delete exported.connector.rmm;
    exported.connector.pcsm = pcsm;
    for (const list of ['statuses', 'severities'] as const) {
      exported.connector.mappings[list] = exported.connector.mappings[list].map(({ rmm, ...row }: { rmm: unknown }) => ({ ...row, pcsm: rmm }));
    }
    const legacy = path.join(dir, 'legacy.json');
    await writeFile(legacy, JSON.stringify(exported));

    const input = stack.input();
    const common = {
      'autotask.secret': input.autotask.secret,
      'autotask.integrationCode': input.autotask.integrationCode,
      'autotask.webhookSecret': 'legacy-webhook-secret',
      'callout.password': 'legacy-callout-password',
    };
    for (const [id, names] of [
      ['legacy-1', { 'pcsm.apiKey': 'legacy-pcsm-key', 'pcsm.webhookSecret': 'legacy-pcsm-webhook' }],
      ['legacy-2', { 'rmm.apiKey': 'legacy-pcsm-key', 'rmm.webhookSecret': 'legacy-pcsm-webhook' }],
    ] as const) {
      const secrets = path.join(dir, `${id}-secrets.json`);
      await writeFile(secrets, JSON.stringify({ ...names, ...common }));
      const imported = await run('connectors', 'import', legacy, '--id', id, '--secrets', secrets);
      expect(imported).toMatchObject({ code: 0, stdout: `created connector ${id}\n` });
      expect(await stack.runtime.store.connectors.get(id)).toMatchObject({
        rmm: { kind: 'pcsm', apiKey: 'legacy-pcsm-key', webhookSecret: 'legacy-pcsm-webhook' },
        mappings: (await stack.runtime.store.connectors.get('c1'))!.mappings,
      });
    }
  });

  it('refuses a secret the connector’s RMM does not have, naming the fields it has', async () => {
    const file = path.join(dir, 'c1.json');
    await run('connectors', 'export', 'c1', '--output', file);
    const secrets = path.join(dir, 'wrong-secrets.json');
    await writeFile(secrets, JSON.stringify({ 'rmm.apiSecret': 'a-datto-secret' }));
    const refused = await run('connectors', 'import', file, '--id', 'c9', '--secrets', secrets);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not a secret field of a pcsm connector: rmm.apiSecret');
    expect(refused.stderr).toContain('rmm.apiKey, rmm.webhookSecret');
    expect(refused.stderr).not.toContain('a-datto-secret');
    expect(await stack.runtime.store.connectors.get('c9')).toBeNull();
  });

  it('re-imports over an existing connector keeping its stored secrets', async () => {
    const file = path.join(dir, 'c1.json');
    await run('connectors', 'export', 'c1', '--output', file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    exported.connector.name = 'Contoso MSP (restored)';
    await writeFile(file, JSON.stringify(exported));
    expect((await run('connectors', 'import', file)).code).toBe(0);
    expect(await stack.runtime.store.connectors.get('c1')).toMatchObject({ name: 'Contoso MSP (restored)', autotask: { secret: 'sim-secret' } });
  });

  it('runs the account link check and exits non-zero when a side fails', async () => {
    const ok = await run('connectors', 'check', 'c1');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Autotask: ok .*\nPCSM:     ok \(account acc-1, Contoso MSP\)\n$/);

    await stack.putConnector('c3', stack.input({ rmm: { ...stack.input().rmm, apiKey: 'revoked-key' } }));
    const failed = await run('connectors', 'check', 'c3', '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, pcsm: { ok: false } });
    expect(failed.stdout).not.toContain('revoked-key');
  });

  it('lists the connectors as a table, or as JSON, without any secret', async () => {
    await stack.putConnector('c1');
    const table = await run('connectors', 'list');
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+RMM\s+STATUS\s+REVISION\s+UPDATED$/);
    expect(rows.find((row) => row.startsWith('c1 '))).toMatch(/^c1\s+Contoso MSP\s+pcsm\s+(ok|needs-attention \(\d+ problems?\))\s+\d+\s+\d{4}-\d\d-\d\dT/);

    const json = await run('connectors', 'list', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout);
    expect(listed.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'c1', name: 'Contoso MSP', rmm: { kind: 'pcsm' } })]));

    const input = stack.input();
    for (const secret of [input.autotask.secret, input.autotask.integrationCode, input.rmm.apiKey, input.rmm.webhookSecret]) {
      expect(table.stdout).not.toContain(secret);
      expect(json.stdout).not.toContain(secret);
    }
  });

  describe('a Datto RMM connector', () => {
    const secretsOf = (input: ConnectorInput) => {
      if (input.rmm.kind !== 'datto-rmm') throw new Error('not a Datto RMM connector');
      return {
        'rmm.apiKey': input.rmm.apiKey,
        'rmm.apiSecret': input.rmm.apiSecret,
        'rmm.webhookSecret': input.rmm.webhookSecret,
        'autotask.secret': input.autotask.secret,
        'autotask.integrationCode': input.autotask.integrationCode,
        'autotask.webhookSecret': input.autotask.webhookSecret!,
        'callout.password': input.callout!.password,
      };
    };

    /** An export as another install would have written it: the configuration, every secret redacted. */
    async function exportFileFor(id: string): Promise<string> {
      const input = dattoInput();
      const connector = structuredClone(input) as Record<string, any>;
      for (const field of Object.keys(secretsOf(input))) {
        const [block, key] = field.split('.') as [string, string];
        connector[block][key] = '[redacted]';
      }
      const file = path.join(dir, `${id}-handmade.json`);
      await writeFile(file, JSON.stringify({ format: EXPORT_FORMAT, id, exportedAt: new Date().toISOString(), connector }));
      return file;
    }

    it('imports it from an export and its secrets by their rmm.* names', async () => {
      const file = await exportFileFor('d1');
      const refused = await run('connectors', 'import', file);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('rmm.apiSecret');

      const secrets = path.join(dir, 'd1-secrets.json');
      await writeFile(secrets, JSON.stringify(secretsOf(dattoInput())));
      const imported = await run('connectors', 'import', file, '--secrets', secrets);
      expect(imported).toMatchObject({ code: 0, stdout: 'created connector d1\n' });
      expect(await stack.runtime.store.connectors.get('d1')).toMatchObject({
        name: 'Contoso MSP (Datto RMM)',
        rmm: { kind: 'datto-rmm', apiUrl: datto.url, ...datto.credentials, webhookSecret: DATTO_WEBHOOK_SECRET },
        mappings: { statuses: [{ rmm: 'Open', autotask: 1 }, { rmm: 'Resolved', autotask: 5 }] },
      });
    });

    it('refuses PCSM’s secret names for it', async () => {
      const file = await exportFileFor('d1');
      const secrets = path.join(dir, 'd1-pcsm-secrets.json');
      await writeFile(secrets, JSON.stringify({ 'pcsm.apiKey': 'not-for-datto' }));
      const refused = await run('connectors', 'import', file, '--id', 'd9', '--secrets', secrets);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('not a secret field of a datto-rmm connector: pcsm.apiKey');
      expect(refused.stderr).toContain('rmm.apiKey, rmm.apiSecret, rmm.webhookSecret');
    });

    it('lists it with its kind', async () => {
      await stack.putConnector('d1', dattoInput());
      const table = await run('connectors', 'list');
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n').find((row) => row.startsWith('d1 '))).toMatch(/^d1\s+Contoso MSP \(Datto RMM\)\s+datto-rmm\s+(ok|needs-attention \(\d+ problems?\))\s+\d+\s+\d{4}-/);
      expect(table.stdout.split('\n').find((row) => row.startsWith('c1 '))).toMatch(/^c1\s+Contoso MSP\s+pcsm\s/);
      const json = JSON.parse((await run('connectors', 'list', '--json')).stdout);
      expect(json.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'd1', rmm: { kind: 'datto-rmm' } })]));
      for (const secret of Object.values(secretsOf(dattoInput()))) expect(table.stdout).not.toContain(secret);
    });

    it('checks the Datto RMM account and names Datto RMM when it refuses', async () => {
      await stack.putConnector('d1', dattoInput());
      const ok = await run('connectors', 'check', 'd1');
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toMatch(new RegExp(`^Autotask:  ok .*\nDatto RMM: ok \\(account ${SEED_ACCOUNT.uid}, ${SEED_ACCOUNT.name}\\)\n$`));
      expect(ok.stdout).not.toContain('PCSM');

      await stack.putConnector('d2', dattoInput({ apiSecret: 'revoked-datto-secret' }));
      const failed = await run('connectors', 'check', 'd2');
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/\nDatto RMM: FAILED — Datto RMM\b.*\n$/);
      expect(failed.stdout).not.toContain('revoked-datto-secret');
      const json = await run('connectors', 'check', 'd2', '--json');
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, autotask: { ok: true }, rmm: { ok: false } });
      expect(JSON.parse(json.stdout)).not.toHaveProperty('pcsm');
    });

    it('exports it without any secret, saying which ones an import must be given, and the export imports again', async () => {
      await stack.putConnector('d1', dattoInput());
      const file = path.join(dir, 'd1.json');
      const exported = await run('connectors', 'export', 'd1', '--output', file);
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain('secrets left out: rmm.apiKey, rmm.apiSecret, rmm.webhookSecret, autotask.secret');
      const text = await readFile(file, 'utf8');
      expect(JSON.parse(text)).toMatchObject({
        format: EXPORT_FORMAT,
        id: 'd1',
        connector: { rmm: { kind: 'datto-rmm', apiUrl: datto.url, apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]' } },
      });
      for (const secret of Object.values(secretsOf(dattoInput()))) expect(text).not.toContain(secret);

      const secrets = path.join(dir, 'd3-secrets.json');
      await writeFile(secrets, JSON.stringify(secretsOf(dattoInput())));
      expect(await run('connectors', 'import', file, '--id', 'd3', '--secrets', secrets)).toMatchObject({ code: 0, stdout: 'created connector d3\n' });
      const [d1, d3] = await Promise.all([stack.runtime.store.connectors.get('d1'), stack.runtime.store.connectors.get('d3')]);
      expect(d3!.rmm).toEqual(d1!.rmm);
      expect(d3!.mappings).toEqual(d1!.mappings);
      expect((await run('connectors', 'check', 'd3')).code).toBe(0);
    });
  });

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(await readFile(path.resolve(__dirname, '../../package.json'), 'utf8'));
    let printed = '';
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag], { stdout: (text) => (printed += text), stderr: () => undefined, env: {} });
      expect(result).toBe(0);
    }
    expect(printed).toBe(`${version}\n${version}\n`);
  });

  it('says which api it could not reach', async () => {
    let stderr = '';
    const code = await runCli(['--url', 'http://127.0.0.1:1', 'connectors', 'check', 'c1'], {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      env: { ADMIN_TOKEN },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('could not reach the api at http://127.0.0.1:1');
  });

  it('says how to authenticate when no token is set', async () => {
    const code = await runCli(['--url', stack.url, 'connectors', 'check', 'c1'], { stdout: () => undefined, stderr: () => undefined, env: {} });
    expect(code).toBe(2);
  });

  it('reads the token from ADMIN_TOKEN_FILE, as inside the container', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'cli-token-')), 'admin_token');
    writeFileSync(file, `${ADMIN_TOKEN}\n`);
    let out = '';
    const code = await runCli(['--url', stack.url, 'connectors', 'list', '--json'], { stdout: (text) => (out += text), stderr: () => undefined, env: { ADMIN_TOKEN_FILE: file } });
    expect(code).toBe(0);
    expect(JSON.parse(out).items.map((item: { id: string }) => item.id)).toContain('c1');
    const missing = await runCli(['--url', stack.url, 'connectors', 'list'], { stdout: () => undefined, stderr: () => undefined, env: { ADMIN_TOKEN_FILE: `${file}.missing` } });
    expect(missing).toBe(2);
  });
});

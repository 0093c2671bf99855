import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXPORT_FORMAT, runCli } from '../../src/cli/cli';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';

/** The CLI against a running api: export → import round trip without secrets, and the account check. */
describe('pcsm-autotask-sync connectors', () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    stack = await startStack('cli', { worker: false });
    await stack.putConnector('c1');
    dir = await mkdtemp(path.join(os.tmpdir(), 'pcsm-cli-'));
  });

  afterAll(async () => {
    await stack.close();
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
        'pcsm.apiKey': input.rmm.apiKey,
        'pcsm.webhookSecret': input.rmm.webhookSecret,
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

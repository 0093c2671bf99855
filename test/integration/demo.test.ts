import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DEMO_TIMEOUT_MS = 90_000;

/** `npm run demo -- --exit` as a user runs it: its own process, port, database and queue prefix; this run's Redis and MongoDB. */
describe('npm run demo -- --exit', () => {
  let child: ChildProcess | undefined;
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    const port = await freePort();
    // The demo makes up its own admin token; the test run's environment must not hand it one.
    const { ADMIN_TOKEN: _ignored, ...env } = process.env;
    child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'tools/demo.ts', '--exit'], {
      cwd: ROOT,
      env: {
        ...env,
        PORT: String(port),
        REDIS_URL: process.env.REDIS_URL,
        MONGO_URL: process.env.TEST_MONGO_URL,
        AUTOTASK_SIM_PORT: '0',
        PCSM_SIM_PORT: '0',
        DATTO_SIM_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    run = await new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      child!.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child!.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child!.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    child = undefined;
  }, DEMO_TIMEOUT_MS);

  afterAll(() => {
    // Only when the demo outlived its time: the process this test started, by its own handle.
    child?.kill('SIGKILL');
  });

  it('exits 0 once both RMMs synced', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('demo failed') });
    expect(run.stdout).toContain('PCSM: everything synced.');
    expect(run.stdout).toContain('Datto RMM: everything synced.');
    expect(run.stdout).not.toContain('did not sync in time');
  });

  it('shows PCSM tickets becoming Autotask tickets and a completed ticket resolving its PCSM ticket', () => {
    const pcsm = section(run.stdout, '== PCSM ==', '== Datto RMM ==');
    for (const id of ['T-1001', 'T-1002', 'T-1003']) expect(pcsm).toMatch(new RegExp(`'PCSM-[0-9a-f]+-${id}'`));
    for (const title of ['Disk C: 95% full on SRV01', 'Backup job failed on NAS02', 'Antivirus definitions out of date']) expect(pcsm).toContain(title);
    expect(pcsm).toMatch(/'T-1002'\s+│\s+'Resolved'/);
    expect(pcsm).toMatch(/PCSM calls: \d+\./);
  });

  it('shows Datto RMM alerts becoming Autotask tickets of the sites’ companies and a completed ticket resolving its alert', () => {
    const datto = section(run.stdout, '== Datto RMM ==', 'Dashboard:');
    expect(datto).toContain('X-Webhook-Secret');
    for (const [title, company] of [
      ['FAB-SRV01: Low disk space on C:', 174],
      ['NW-SRV01: Service Veeam Backup Service is stopped', 175],
      ['FAB-BR-WS01: Windows Defender', 174],
    ] as const) {
      expect(datto).toMatch(new RegExp(`│ ${company}\\s+│ '${escape(title)}[^']*'\\s+│ 1\\s+│.*'DRMM-[0-9a-f]+-[0-9a-f-]{36}'`));
    }
    // The backup alert: resolved through the API (resolvedBy is the API user), the other two still open.
    expect(datto).toMatch(/'Critical'\s+│\s+'Northwind Traders'\s+│\s+'NW-SRV01'\s+│\s+true\s+│\s+'connector\.api'/);
    expect(datto.match(/│\s+false\s+│\s+null\s+│/g)).toHaveLength(2);
    const calls = /Datto RMM calls: (\d+) in all — (\d+) token grants?, (\d+) alert reads, .*?(\d+) resolves/.exec(datto);
    expect(calls).not.toBeNull();
    const [, total, tokens, , resolves] = calls!.map(Number);
    expect({ tokens, resolves }).toEqual({ tokens: 1, resolves: 1 });
    expect(total).toBeLessThanOrEqual(20);
  });

  it('prints where the dashboard and both connectors’ setup are', () => {
    expect(run.stdout).toMatch(/Dashboard: +http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
    expect(run.stdout).toContain('/admin/setup?connector=demo ');
    expect(run.stdout).toContain('/admin/setup?connector=demo-datto');
  });
});

function section(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start + from.length);
  return start === -1 ? '' : text.slice(start, end === -1 ? undefined : end);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

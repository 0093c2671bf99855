import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PcsmTicket } from '../../src/pcsm/events';
import { freePort, startFaultStack, ticketStream, type FaultStack, type TicketEvent } from '../../tools/fault-scenario';
import type { LogEntry } from '../../tools/processes';
import { connectTestDatabase, testMongoUrl, testRedisUrl, uniqueName, waitFor, type TestDatabase } from '../harness/context';

/**
 * Stopping on time, as real processes: a worker whose Autotask calls hang gets SIGTERM in the
 * middle of a burst and is gone within Docker's 10 s, and a fresh worker finishes its work exactly
 * once; a process started the way `npm start` starts it ends when its parent is killed.
 */
describe('shutdown', () => {
  describe('of a worker whose Autotask calls hang', () => {
    let db: TestDatabase;
    let stack: FaultStack;

    beforeAll(async () => {
      db = await connectTestDatabase('shutdown');
      stack = await startFaultStack({
        mongoUrl: testMongoUrl(db.dbName),
        workers: 1,
        // Autotask's real timeout: a hanging call holds its job for 30 s unless the shutdown lets go.
        env: { RECONCILE_INTERVAL_SECONDS: '86400', AUTOTASK_TIMEOUT_MS: '30000' },
      });
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
      await db?.drop();
    }, 60_000);

    /** One more change per ticket, each the ticket's last: whatever a cut call leaves behind carries the same values. */
    const lastChanges = (finals: Map<string, PcsmTicket>, ids: string[]): TicketEvent[] =>
      ids.map((id, index) => {
        const updatedAt = new Date(Date.parse(finals.get(id)!.updatedAt) + 3_600_000 + index).toISOString();
        const data = { ...finals.get(id)!, title: `${id}: changed while Autotask hangs`, status: 'In Progress', updatedAt };
        finals.set(id, data);
        return { id: `evt_${id}_last`, type: 'ticket.updated', occurredAt: updatedAt, data };
      });

    it('exits within 10 s, abandoning the hanging calls, and a fresh worker brings every ticket to its last state once', async () => {
      const { events, finals } = ticketStream({ tickets: 20, events: 20, prefix: 'STERM' });
      await stack.sendAll(events);
      expect((await stack.waitConverged(finals, 60_000)).convergedAfterMs).not.toBeNull();

      // Only updates hang: a create left hanging for 60 s would commit just as the connector's
      // 60 s wait for an unanswered create ends, a race no real Autotask timeout (30 s) allows.
      stack.sim.faults.latencyMs = 60_000;
      const ids = [...finals.keys()];
      await stack.sendAll(lastChanges(finals, ids.slice(0, 10)));
      const hanging = () => stack.sim.requests.filter((r) => r.entity === 'Tickets' && r.status === null).length;
      // Autotask's thread limit: three calls to Tickets at a time, all three hanging now.
      await waitFor(() => hanging() >= 3, { timeoutMs: 20_000, message: 'three Autotask calls to hang' });

      const victim = stack.workers[0]!;
      const rest = stack.sendAll(lastChanges(finals, ids.slice(10)), 4, 50);
      const stopped = await victim.kill('SIGTERM');
      await rest;
      expect(stopped.ms).toBeLessThanOrEqual(10_000);
      expect(stopped.code).toBe(0);
      const log = victim.lines().map(parse);
      const messages = log.map((entry) => entry?.message);
      expect(messages).toContain('stopping');
      expect(messages.some((m) => typeof m === 'string' && /^waiting for \d+ running jobs?$/.test(m))).toBe(true);
      expect(log.find((entry) => typeof entry?.message === 'string' && entry.message.startsWith('abandoning'))).toMatchObject({
        jobs: expect.arrayContaining([expect.objectContaining({ queue: 'connector.c1', name: 'ticket-sync' })]),
      });
      expect(messages).toContain('stopped');

      stack.sim.faults.latencyMs = 0;
      stack.workers.splice(0, 1, await stack.spawnWorker());
      // The cut jobs run again once their locks expire (30 s) and the stall check sees it.
      const verdict = await stack.waitConverged(finals, 150_000);
      expect({ lost: verdict.lost, duplicated: verdict.duplicated, wrong: verdict.wrong }).toEqual({ lost: [], duplicated: [], wrong: [] });
      expect(verdict.convergedAfterMs).not.toBeNull();
    }, 300_000);
  });

  describe('of a process started by npm', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await connectTestDatabase('shutdown-npm');
    });

    afterAll(async () => {
      await db?.drop();
    });

    it.each(['SIGTERM', 'SIGKILL'] as const)('ends the connector when its parent gets %s', async (signal) => {
      const run = await startUnderParent(testMongoUrl(db.dbName));
      try {
        await run.waitForLog((entry) => entry.message === 'started', 60_000);
        process.kill(run.parentPid, signal);
        await waitFor(() => !isAlive(run.childPid), { timeoutMs: 15_000, intervalMs: 100, message: `the connector (pid ${run.childPid}) to exit` });
        const stopping = await run.waitForLog((entry) => entry.message === 'stopping', 1_000);
        expect(stopping).toMatchObject({ reason: 'the parent process exited (npm was stopped)', parentPid: run.parentPid });
        await run.waitForLog((entry) => entry.message === 'stopped', 1_000);
      } finally {
        for (const pid of [run.childPid, run.parentPid]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }, 90_000);
  });
});

function parse(line: string): LogEntry | undefined {
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie waiting for a parent that does not reap it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * What `npm start` amounts to: a parent (npm, then `sh -c`) that runs the connector and passes no
 * signal on when it dies. The parent sets `npm_lifecycle_event` as npm does and writes the
 * connector's pid; the connector logs to a file, so nothing it writes depends on the parent.
 */
async function startUnderParent(mongoUrl: string) {
  const root = path.resolve(__dirname, '../..');
  const logFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'pcsm-npm-')), 'connector.log');
  const env = {
    ...process.env,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    REDIS_URL: testRedisUrl(),
    MONGO_URL: mongoUrl,
    ADMIN_TOKEN: `npm-admin-${randomBytes(12).toString('hex')}`,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    QUEUE_PREFIX: uniqueName('shutdown-npm'),
    LOG_LEVEL: 'info',
    npm_lifecycle_event: 'start',
  };
  const parentScript = `
    const { spawn } = require('node:child_process');
    const fs = require('node:fs');
    const out = fs.openSync(${JSON.stringify(logFile)}, 'a');
    const child = spawn(process.execPath, ['-r', ${JSON.stringify(require.resolve('ts-node/register/transpile-only', { paths: [root] }))}, 'src/main.ts', 'all'], { cwd: ${JSON.stringify(root)}, stdio: ['ignore', out, out] });
    process.stdout.write(child.pid + '\\n');
    setInterval(() => undefined, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const childPid = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    parent.once('exit', () => reject(new Error('the parent exited before it started the connector')));
  });
  const entries = (): LogEntry[] =>
    (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
      .split('\n')
      .map(parse)
      .filter((entry): entry is LogEntry => entry !== undefined);
  return {
    parentPid: parent.pid!,
    childPid,
    waitForLog: (predicate: (entry: LogEntry) => boolean, timeoutMs: number) =>
      waitFor(() => entries().find(predicate), { timeoutMs, intervalMs: 100, message: `a log line in ${logFile}` }),
  };
}

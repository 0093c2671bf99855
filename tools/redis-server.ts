/**
 * A Redis of its own for fault tests: a child process on a free loopback port, AOF on, that a test
 * may kill -9 and start again on the same port and directory to see what the AOF kept. The shared
 * Redis from tools/services.ts is never the one to break: other test files are using it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import Redis from 'ioredis';

export type AppendFsync = 'always' | 'everysec';

export interface RedisServerOptions {
  /** `always` (default) fsyncs before each reply, so every acknowledged write survives kill -9. */
  appendfsync?: AppendFsync;
}

export interface DisposableRedis {
  readonly url: string;
  readonly port: number;
  /** The server's working directory: its AOF (appendonlydir/) and redis.log. */
  readonly dir: string;
  readonly logFile: string;
  /** Sends `signal` and resolves once the server has exited; does nothing when it is not running. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts the server again on the same port and directory, so it replays its AOF; resolves once it
   * answers PING. A server still running is killed first (SIGKILL), as a crash would.
   */
  restart(): Promise<void>;
  /** Kills the server and removes its directory; the server cannot be restarted afterwards. */
  stop(): Promise<void>;
}

export class RedisServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisServerError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

class PortInUseError extends RedisServerError {
  constructor(port: number) {
    super(`port ${port} is in use`);
    this.name = 'PortInUseError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const READY_TIMEOUT_MS = 10_000;
// A killed server's port can be taken for a moment (a lingering socket, another test's free-port probe).
const PORT_RETRY_TIMEOUT_MS = 10_000;
const PORT_RETRY_INTERVAL_MS = 200;
const PING_INTERVAL_MS = 50;
const LOG_TAIL_LINES = 20;

export async function startRedisServer(options: RedisServerOptions = {}): Promise<DisposableRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pcsm-fault-redis-'));
  undisposedDirs.add(dir);
  updateExitHook();
  const logFile = path.join(dir, 'redis.log');
  const settings = { dir, logFile, appendfsync: options.appendfsync ?? 'always' };

  let port = 0;
  let server: RunningServer;
  try {
    // A port found free may be taken before redis-server binds it; another free port will do.
    server = await retryWhilePortInUse(async () => {
      port = await freePort();
      return launch(port, settings);
    });
  } catch (error) {
    await removeDir(dir);
    throw error;
  }

  let stopped = false;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (server.hasExited()) return;
    server.child.kill(signal);
    await server.exited;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    logFile,
    kill,
    async restart() {
      if (stopped) throw new RedisServerError(`the Redis on port ${port} was stopped and its directory removed`);
      await kill('SIGKILL');
      server = await retryWhilePortInUse(() => launch(port, settings));
    },
    async stop() {
      stopped = true;
      await kill('SIGKILL');
      await removeDir(dir);
    },
  };
}

interface ServerSettings {
  dir: string;
  logFile: string;
  appendfsync: AppendFsync;
}

interface RunningServer {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
}

async function launch(port: number, { dir, logFile, appendfsync }: ServerSettings): Promise<RunningServer> {
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', appendfsync,
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
  ];
  // The server writes straight into the file, so its log is complete even if this process dies.
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const server = watch(child);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.hasExited()) {
      const log = await logSince(logFile, logStart);
      if (log.includes('Address already in use')) throw new PortInUseError(port);
      throw new RedisServerError(`redis-server on port ${port} exited before it answered PING:\n${tail(log)}`);
    }
    // Whatever holds the port when redis-server cannot bind it may answer slowly or not at all.
    if (await Promise.race([answersPing(port, child.pid), server.exited.then(() => false)])) return server;
    if (Date.now() >= deadline) {
      child.kill('SIGKILL');
      await server.exited;
      const log = await logSince(logFile, logStart);
      throw new RedisServerError(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${tail(log)}`);
    }
    await delay(PING_INTERVAL_MS);
  }
}

function watch(child: ChildProcess): RunningServer {
  let exited = false;
  live.add(child);
  updateExitHook();
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      exited = true;
      live.delete(child);
      updateExitHook();
      resolve();
    };
    child.once('exit', finish);
    // Spawning failed (redis-server not on PATH): there will be no 'exit'.
    child.once('error', finish);
  });
  return { child, exited: done, hasExited: () => exited };
}

/** True once the server at `port` is the one with `pid` (not another that took the port) and answers PONG. */
async function answersPing(port: number, pid: number | undefined): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Failures surface through connect() and ping(); without a listener ioredis prints them too.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // While the AOF replays, PING answers LOADING: not ready yet.
    if ((await client.ping()) !== 'PONG') return false;
    return new RegExp(`^process_id:${pid}\\r?$`, 'm').test(await client.info('server'));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function retryWhilePortInUse<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + PORT_RETRY_TIMEOUT_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PortInUseError) || Date.now() >= deadline) throw error;
      await delay(PORT_RETRY_INTERVAL_MS);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function logSince(logFile: string, offset: number): Promise<string> {
  try {
    return (await readFile(logFile)).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

function tail(log: string): string {
  const lines = log.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  return lines === '' ? '(no output)' : lines;
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  undisposedDirs.delete(dir);
  updateExitHook();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Nothing outlives the process that started it

const live = new Set<ChildProcess>();
const undisposedDirs = new Set<string>();
// Jest hands each test file a copy of `process` whose 'exit' never fires; the global of the main
// context is the process that really exits (outside jest it is the same object).
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
let hookArmed = false;

function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of undisposedDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A server still dying may add a file; a leftover temp dir is no reason to fail the exit.
    }
  }
}

// Armed only while something is left to clean, so test files that each load this module do not
// pile listeners (and their sandboxes) onto the one real process.
function updateExitHook(): void {
  const needed = live.size > 0 || undisposedDirs.size > 0;
  if (needed && !hookArmed) hostProcess.on('exit', killLeftovers);
  if (!needed && hookArmed) hostProcess.off('exit', killLeftovers);
  hookArmed = needed;
}

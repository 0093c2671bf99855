/**
 * Finds or starts the Redis and MongoDB that tests, `npm run demo` and the benchmarks talk to.
 *
 * MongoDB is looked for in this order: MONGO_URL → a `mongod` on
 * PATH → the mongo-java-server stand-in (tools/mongo-stand-in) → mongodb-memory-server when that
 * package happens to be installed. Whatever this module starts, it stops on `stop()` and when the
 * process exits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';

export interface RunningService {
  /** Redis: the URL as given. MongoDB: no database name; use `databaseUrl` to add one. */
  url: string;
  /** Stops what this module started; a service that was already running is left alone. */
  stop(): Promise<void>;
}

export type MongoKind = 'env' | 'mongod' | 'stand-in' | 'memory-server';

export interface RunningMongo extends RunningService {
  kind: MongoKind;
}

export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_START_TIMEOUT_MS = 10_000;
const MONGOD_START_TIMEOUT_MS = 30_000;
// A cold JVM compiling Launcher.java on a busy two-core CI machine takes a few seconds.
const STAND_IN_START_TIMEOUT_MS = 60_000;
const STAND_IN_RESOLVE_TIMEOUT_MS = 5 * 60_000;

const HOW_TO_PROVIDE_MONGO =
  'Provide a MongoDB in one of these ways: set MONGO_URL (e.g. MONGO_URL=mongodb://127.0.0.1:27017), ' +
  'put `mongod` on PATH, or install Java 17 and Maven (apt-get install -y openjdk-17-jdk-headless maven) ' +
  'so the mongo-java-server stand-in in tools/mongo-stand-in can run.';

/**
 * `base` (as returned by `ensureMongo`, or a MONGO_URL that already names a database) with
 * `dbName` as its database; query options are kept.
 */
export function databaseUrl(base: string, dbName: string): string {
  const queryAt = base.indexOf('?');
  const head = queryAt === -1 ? base : base.slice(0, queryAt);
  const query = queryAt === -1 ? '' : base.slice(queryAt);
  const hostsStart = head.indexOf('://') + 3;
  const pathStart = head.indexOf('/', hostsStart);
  const hosts = pathStart === -1 ? head : head.slice(0, pathStart);
  return `${hosts}/${dbName}${query}`;
}

// ---------------------------------------------------------------------------------------------
// Redis

export async function ensureRedis(url: string = process.env.REDIS_URL ?? DEFAULT_REDIS_URL): Promise<RunningService> {
  let child: ManagedChild | undefined;
  const probe = await probeRedis(url);
  if (probe.state === 'refused') {
    throw new ServiceUnavailableError(`Redis at ${url} accepts connections but PING fails: ${probe.reason}`);
  }
  if (probe.state === 'unreachable') {
    const { hostname, port } = parseRedisUrl(url);
    if (!isLoopback(hostname)) {
      throw new ServiceUnavailableError(
        `Redis at ${url} does not answer PING, and it is not on this machine, so it cannot be started here.`,
      );
    }
    if (await acceptsConnection(port)) {
      throw new ServiceUnavailableError(
        `Something listens on port ${port} but does not answer PING as ${url} ` +
          '(a Redis that wants a password? put it in REDIS_URL), so no redis-server can be started there.',
      );
    }
    child = await startRedis(url, port);
  }
  try {
    await ensureNoEviction(url);
  } catch (error) {
    await child?.stop();
    throw error;
  }
  return { url, stop: async () => child?.stop() };
}

function parseRedisUrl(url: string): { hostname: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceUnavailableError(`REDIS_URL is not a URL: ${url}`);
  }
  return { hostname: parsed.hostname, port: parsed.port === '' ? 6379 : Number(parsed.port) };
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function connectRedis(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Failures surface through connect() and commands; without a listener ioredis prints them too.
  client.on('error', () => undefined);
  return client;
}

type RedisProbe = { state: 'pong' } | { state: 'unreachable' } | { state: 'refused'; reason: string };

async function probeRedis(url: string): Promise<RedisProbe> {
  const client = connectRedis(url);
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return { state: 'unreachable' };
  }
  try {
    await client.ping();
    return { state: 'pong' };
  } catch (error) {
    // Something listens there (a Redis wanting a password, say): starting another would not help.
    return { state: 'refused', reason: errorText(error) };
  } finally {
    client.disconnect();
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  return (await probeRedis(url)).state === 'pong';
}

async function startRedis(url: string, port: number): Promise<ManagedChild> {
  const binary = findOnPath('redis-server');
  if (binary === undefined) {
    throw new ServiceUnavailableError(
      `Redis at ${url} does not answer and redis-server is not on PATH. ` +
        'Install it (apt-get install -y redis-server) or set REDIS_URL to a running Redis.',
    );
  }
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawnManaged('redis-server', binary, [...args, '--maxmemory-policy', 'noeviction'], 'watchdog');
  try {
    await pollUntil(() => redisAnswers(url), REDIS_START_TIMEOUT_MS, child, `redis-server on port ${port}`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}

// BullMQ loses jobs silently under any eviction policy; it warns but carries on.
async function ensureNoEviction(url: string): Promise<void> {
  const client = connectRedis(url);
  try {
    await client.connect();
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as string[];
    if (policy !== 'noeviction') {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  } catch (error) {
    throw new ServiceUnavailableError(
      `Redis at ${url} answers, but its maxmemory-policy could not be set to noeviction, which BullMQ needs ` +
        `(${errorText(error)}). Run \`redis-cli config set maxmemory-policy noeviction\` or set it in redis.conf.`,
    );
  } finally {
    client.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// MongoDB

export async function ensureMongo(): Promise<RunningMongo> {
  const fromEnv = process.env.MONGO_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { kind: 'env', url: withoutDatabase(fromEnv), stop: async () => undefined };
  }

  const reasons: string[] = [];
  const mongod = findOnPath('mongod');
  if (mongod !== undefined) {
    try {
      return await startMongod(mongod);
    } catch (error) {
      reasons.push(`mongod: ${errorText(error)}`);
    }
  }

  const standInProblem = standInMissing();
  if (standInProblem === undefined) {
    try {
      return await startStandIn();
    } catch (error) {
      reasons.push(`stand-in: ${errorText(error)}`);
    }
  } else {
    reasons.push(`stand-in: ${standInProblem}`);
  }

  const memoryServer = loadMemoryServer();
  if (memoryServer !== undefined) {
    try {
      return await startMemoryServer(memoryServer);
    } catch (error) {
      reasons.push(`mongodb-memory-server: ${errorText(error)}`);
    }
  } else {
    reasons.push('mongodb-memory-server: not installed');
  }

  throw new ServiceUnavailableError(
    `No MongoDB available. ${HOW_TO_PROVIDE_MONGO}\nWhat was tried:\n- ${reasons.join('\n- ')}`,
  );
}

function withoutDatabase(url: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?([^?]*)(\?.*)?$/.exec(url);
  if (match === null) {
    throw new ServiceUnavailableError(`MONGO_URL is not a mongodb:// URL: ${url}`);
  }
  return `${match[1]}${match[3] ?? ''}`;
}

async function startMongod(binary: string): Promise<RunningMongo> {
  const port = await freePort();
  const dbPath = mkdtempSync(path.join(os.tmpdir(), 'mongod-'));
  const args = ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', dbPath, '--quiet'];
  const child = spawnManaged('mongod', binary, args, 'watchdog');
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(dbPath, { recursive: true, force: true });
  };
  try {
    await pollUntil(() => acceptsConnection(port), MONGOD_START_TIMEOUT_MS, child, `mongod on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'mongod', url: `mongodb://127.0.0.1:${port}`, stop };
}

// ---- mongo-java-server stand-in

function standInDir(): string {
  // Compiled copies run from dist/tools, so look upwards for the folder rather than beside this file.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tools', 'mongo-stand-in');
    if (existsSync(path.join(candidate, 'Launcher.java'))) return candidate;
    if (path.dirname(dir) === dir) return path.join(__dirname, 'mongo-stand-in');
  }
}

function javaBinary(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && existsSync(path.join(home, 'bin', 'java'))) {
    return path.join(home, 'bin', 'java');
  }
  return findOnPath('java');
}

function standInMissing(): string | undefined {
  if (javaBinary() === undefined) return 'java is not on PATH (Java 17 needed)';
  const resolved = existsSync(path.join(standInDir(), 'lib', '.pom.sha256'));
  if (!resolved && findOnPath('mvn') === undefined) return 'mvn is not on PATH and the jars are not resolved yet';
  return undefined;
}

/** Resolves the stand-in's jars (needs Maven Central the first time); returns at once when cached. */
export async function resolveStandInJars(): Promise<string> {
  const dir = standInDir();
  const child = spawnManaged('resolve-jars.sh', 'bash', [path.join(dir, 'resolve-jars.sh')], 'none');
  const code = await child.exited(STAND_IN_RESOLVE_TIMEOUT_MS);
  if (code !== 0) {
    throw new ServiceUnavailableError(`resolving the stand-in jars failed (exit ${code}):\n${child.output()}`);
  }
  return path.join(dir, 'lib');
}

async function startStandIn(): Promise<RunningMongo> {
  const lib = await resolveStandInJars();
  const java = javaBinary() ?? 'java';
  const launcher = path.join(standInDir(), 'Launcher.java');
  const child = spawnManaged('mongo-stand-in', java, ['-cp', path.join(lib, '*'), launcher, '0'], 'stdin');
  try {
    const port = await child.waitForLine(/mongo-stand-in ready 127\.0\.0\.1:(\d+)/, STAND_IN_START_TIMEOUT_MS);
    await pollUntil(() => acceptsConnection(port), STAND_IN_START_TIMEOUT_MS, child, `mongo-stand-in on port ${port}`);
    return { kind: 'stand-in', url: `mongodb://127.0.0.1:${port}`, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

// ---- mongodb-memory-server (optional; downloads a real mongod where the network allows)

interface MemoryServerModule {
  MongoMemoryServer: {
    create(options: { instance: { ip: string } }): Promise<{ getUri(): string; stop(): Promise<unknown> }>;
  };
}

function loadMemoryServer(): MemoryServerModule | undefined {
  const name = 'mongodb-memory-server';
  try {
    // A variable name keeps TypeScript from requiring the package's types at compile time.
    return require(name) as MemoryServerModule;
  } catch {
    return undefined;
  }
}

async function startMemoryServer(module: MemoryServerModule): Promise<RunningMongo> {
  const server = await module.MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
  return {
    kind: 'memory-server',
    url: withoutDatabase(server.getUri()),
    stop: async () => {
      await server.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface ManagedChild {
  /** Resolves with the first capture group of the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<number>;
  exited(timeoutMs: number): Promise<number | null>;
  hasExited(): boolean;
  /** The last lines the child wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LINES_KEPT = 40;
const STOP_GRACE_MS = 5_000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLeftovers(): void {
  for (const child of running) child.kill('SIGTERM');
}

/**
 * How a child ends when this process dies without running its exit hook (SIGKILL, an unhandled
 * SIGTERM): 'stdin' — the child itself stops when its stdin pipe closes (the stand-in does);
 * 'watchdog' — a bash wrapper stops it then; 'none' — a short-lived command, stdin closed at once.
 */
type Orphaning = 'stdin' | 'watchdog' | 'none';

// Runs "$@" and stops it with SIGTERM once the wrapper's stdin (a pipe from this process) closes.
// The watcher reads a copy of stdin on fd 3 because bash gives background jobs /dev/null instead.
const WATCHDOG_SCRIPT = `
exec 3<&0 </dev/null
"$@" &
child=$!
{ cat <&3 >/dev/null 2>&1; kill -TERM "$child" 2>/dev/null; } &
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
wait "$child"; code=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
exit "$code"
`;

function spawnManaged(label: string, command: string, args: string[], orphaning: Orphaning): ManagedChild {
  if (!exitHookInstalled) {
    process.once('exit', killLeftovers);
    exitHookInstalled = true;
  }
  const child =
    orphaning === 'watchdog'
      ? spawn('bash', ['-c', WATCHDOG_SCRIPT, label, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);

  const lines: string[] = [];
  const lineWaiters = new Set<(line: string) => void>();
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  const exitWaiters = new Set<() => void>();

  const collect = (stream: NodeJS.ReadableStream): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
        for (const waiter of lineWaiters) waiter(line);
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  child.stdin!.on('error', () => undefined);
  if (orphaning === 'none') child.stdin!.end();

  const markExited = (code: number | null): void => {
    if (exitCode !== undefined) return;
    exitCode = code;
    running.delete(child);
    // Lets a watchdog's stdin reader finish rather than wait for this process to exit.
    child.stdin!.destroy();
    for (const waiter of exitWaiters) waiter();
  };
  child.on('error', (error) => {
    spawnError = error;
    markExited(null);
  });
  child.on('exit', (code) => markExited(code));

  const output = (): string => {
    const text = lines.join('\n').trim();
    const prefix = spawnError === undefined ? '' : `${label} could not start: ${spawnError.message}\n`;
    return prefix + (text === '' ? '(no output)' : text);
  };

  const exited = (timeoutMs: number): Promise<number | null> =>
    new Promise((resolve, reject) => {
      if (exitCode !== undefined) return resolve(exitCode);
      const timer = setTimeout(() => {
        exitWaiters.delete(done);
        reject(new ServiceUnavailableError(`${label} did not finish within ${timeoutMs} ms:\n${output()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        exitWaiters.delete(done);
        resolve(exitCode ?? null);
      };
      exitWaiters.add(done);
    });

  const waitForLine = (pattern: RegExp, timeoutMs: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, value?: number): void => {
        clearTimeout(timer);
        lineWaiters.delete(onLine);
        exitWaiters.delete(onExit);
        if (error === undefined) resolve(value as number);
        else reject(error);
      };
      const onLine = (line: string): void => {
        const match = pattern.exec(line);
        if (match !== null) finish(undefined, Number(match[1]));
      };
      const onExit = (): void =>
        finish(new ServiceUnavailableError(`${label} exited (code ${exitCode}) before it was ready:\n${output()}`));
      const timer = setTimeout(
        () => finish(new ServiceUnavailableError(`${label} was not ready within ${timeoutMs} ms:\n${output()}`)),
        timeoutMs,
      );
      for (const line of lines) onLine(line);
      if (exitCode !== undefined) return onExit();
      lineWaiters.add(onLine);
      exitWaiters.add(onExit);
    });

  const stop = async (): Promise<void> => {
    if (exitCode !== undefined) return;
    child.stdin!.end();
    child.kill('SIGTERM');
    try {
      await exited(STOP_GRACE_MS);
    } catch {
      child.kill('SIGKILL');
      await exited(STOP_GRACE_MS).catch(() => undefined);
    }
  };

  return { waitForLine, exited, hasExited: () => exitCode !== undefined, output, stop };
}

async function pollUntil(
  ready: () => Promise<boolean>,
  timeoutMs: number,
  child: ManagedChild,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (child.hasExited()) {
      throw new ServiceUnavailableError(`${what} exited before it was ready:\n${child.output()}`);
    }
    if (Date.now() > deadline) {
      throw new ServiceUnavailableError(`${what} was not ready within ${timeoutMs} ms:\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function acceptsConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

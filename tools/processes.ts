/**
 * The connector's own processes (src/main.ts api | worker | all) as real OS processes, so fault
 * tests can kill -9 or SIGTERM one mid-work and watch what Redis, MongoDB and the other processes
 * make of it. In-process runtimes cannot show that: their sockets and timers die politely.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import vm from 'node:vm';

export type ConnectorRole = 'api' | 'worker' | 'all';

export interface ConnectorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ConnectorKill extends ConnectorExit {
  /** From sending the signal to the process's exit. */
  ms: number;
}

/** A log line parsed as JSON; `undefined` for lines that are not a JSON object (stack traces, stderr). */
export type LogEntry = Record<string, unknown>;
export type LinePredicate = (line: string, entry: LogEntry | undefined) => boolean;

export interface ConnectorProcess {
  readonly pid: number;
  readonly role: ConnectorRole;
  /** stdout and stderr, appended as they arrive. */
  readonly logFile: string;
  /** Settles once the process has exited and all of its output is read and written to `logFile`. */
  readonly exited: Promise<ConnectorExit>;
  /** stdout and stderr lines so far, in the order they were read. */
  lines(): string[];
  /** The first line, past or future, that `predicate` accepts; rejects on timeout or exit. */
  waitForLine(predicate: LinePredicate, timeoutMs: number): Promise<string>;
  /** Sends `signal` and resolves once the process has exited; an exited process answers at once. */
  kill(signal?: NodeJS.Signals): Promise<ConnectorKill>;
}

export interface SpawnOptions {
  /** Where stdout and stderr are appended; default: a file in a fresh temp directory. */
  logFile?: string;
  /** How long to wait for `started` (default 60 s); keep it under the test's own timeout to see the log tail. */
  startTimeoutMs?: number;
}

export class ConnectorProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorProcessError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

// ts-node compiles the whole import graph at every start: ~1.5 s idle, far longer on two busy cores.
const START_TIMEOUT_MS = 60_000;
const TAIL_LINES = 30;
const TS_NODE_REGISTER = 'ts-node/register/transpile-only';

/**
 * Runs `node -r ts-node/register/transpile-only src/main.ts <role>` from the repository root with
 * `env` over this process's environment; resolves once it logs `started`, else rejects with the
 * end of its log (and makes sure it is gone).
 */
export async function spawnConnectorProcess(
  role: ConnectorRole,
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<ConnectorProcess> {
  const root = repositoryRoot();
  const register = resolveTsNode(root);
  const logFile = options.logFile ?? path.join(await mkdtemp(path.join(os.tmpdir(), `pcsm-${role}-`)), `${role}.log`);
  const log = await openLog(logFile);

  const child = spawn(process.execPath, ['-r', register, path.join(root, 'src', 'main.ts'), role], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const connector = observe(child, role, logFile, log);
  try {
    await connector.waitForLine((_, entry) => entry?.message === 'started', options.startTimeoutMs ?? START_TIMEOUT_MS);
  } catch (error) {
    await connector.kill('SIGKILL');
    throw new ConnectorProcessError(`the ${role} process did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  return connector;
}

function observe(child: ChildProcess, role: ConnectorRole, logFile: string, log: WriteStream): ConnectorProcess {
  const lines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  let exitedAt: number | undefined;
  let exit: ConnectorExit | undefined;
  let spawnError: Error | undefined;

  track(child);
  child.once('exit', () => {
    exitedAt = performance.now();
    untrack(child);
  });
  const exited = new Promise<ConnectorExit>((resolve) => {
    // 'close' comes after the last byte of stdout and stderr, so lines() is complete by then.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exit = { code, signal };
      untrack(child);
      log.end(() => resolve({ code, signal }));
    });
  });
  child.once('error', (error) => {
    spawnError = error;
    untrack(child);
  });

  const onLine = (line: string): void => {
    lines.push(line);
    for (const listener of lineListeners) listener(line);
  };
  readLines(child.stdout!, log, onLine);
  readLines(child.stderr!, log, onLine);

  const describeEnd = (): string => {
    const how = spawnError === undefined ? `code ${exit?.code ?? null}, signal ${exit?.signal ?? null}` : spawnError.message;
    return `exited (${how}); last lines of ${logFile}:\n${logTail(lines)}`;
  };

  const waitForLine = (predicate: LinePredicate, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const matches = (line: string): boolean => predicate(line, parseEntry(line));
      const seen = lines.find(matches);
      if (seen !== undefined) return resolve(seen);
      if (exit !== undefined) return reject(new ConnectorProcessError(describeEnd()));

      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        lineListeners.delete(listener);
        settle();
      };
      const listener = (line: string): void => {
        if (matches(line)) finish(() => resolve(line));
      };
      const timer = setTimeout(() => {
        finish(() => reject(new ConnectorProcessError(`no such line within ${timeoutMs} ms; last lines of ${logFile}:\n${logTail(lines)}`)));
      }, timeoutMs);
      lineListeners.add(listener);
      void exited.then(() => finish(() => reject(new ConnectorProcessError(describeEnd()))));
    });

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ConnectorKill> => {
    if (exit !== undefined) return { ...exit, ms: 0 };
    const sentAt = performance.now();
    child.kill(signal);
    const result = await exited;
    return { ...result, ms: Math.round((exitedAt ?? performance.now()) - sentAt) };
  };

  if (child.pid === undefined) {
    throw new ConnectorProcessError(`could not spawn the ${role} process: ${spawnError?.message ?? 'no pid'}`);
  }
  return { pid: child.pid, role, logFile, exited, lines: () => [...lines], waitForLine, kill };
}

function readLines(stream: Readable, log: WriteStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    log.write(chunk);
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending);
    pending = '';
  });
}

// Opened before the spawn so a bad path fails here, not as an unhandled stream error later.
function openLog(logFile: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    log.once('error', reject);
    log.once('open', () => {
      log.off('error', reject);
      // A failed write must not crash the tests; the lines are still kept in memory.
      log.on('error', () => undefined);
      resolve(log);
    });
  });
}

function parseEntry(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

function logTail(lines: string[]): string {
  const text = lines.slice(-TAIL_LINES).join('\n').trim();
  return text === '' ? '(no output)' : text;
}

// From tools/ under ts-node, or dist/tools/ once compiled: the nearest directory with a package.json.
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new ConnectorProcessError(`no package.json above ${__dirname}`);
  }
}

function resolveTsNode(root: string): string {
  try {
    return require.resolve(TS_NODE_REGISTER, { paths: [root] });
  } catch {
    throw new ConnectorProcessError(`${TS_NODE_REGISTER} is not installed under ${root}: run npm ci (ts-node is a devDependency)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Nothing outlives the process that started it

const live = new Set<ChildProcess>();
// Jest hands each test file a copy of `process` whose 'exit' never fires; the global of the main
// context is the process that really exits (outside jest it is the same object).
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;

function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL');
}

// Armed only while a child lives, so test files that each load this module do not pile listeners
// (and their sandboxes) onto the one real process.
function track(child: ChildProcess): void {
  if (live.size === 0) hostProcess.on('exit', killLeftovers);
  live.add(child);
}

function untrack(child: ChildProcess): void {
  if (!live.delete(child)) return;
  if (live.size === 0) hostProcess.off('exit', killLeftovers);
}

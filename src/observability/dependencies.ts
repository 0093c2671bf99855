import { redact } from '../http/redact';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * Redis and MongoDB as an operator needs to hear about them: which variable to check, where it
 * points (password removed), what went wrong — once when a connection is lost, once when it is
 * back, never once per command.
 */
export type DependencyName = 'Redis' | 'MongoDB';

export const DEPENDENCY_VARIABLE: Record<DependencyName, string> = { Redis: 'REDIS_URL', MongoDB: 'MONGO_URL' };

/** The URL without its password (or any `password`/`secret`/`token` query parameter), safe to log. */
export function redactUrl(url: string): string {
  const [base, query] = splitOnce(url, '?');
  const withoutPassword = base.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/, (_match, scheme: string, userInfo: string) => {
    const [user, password] = splitOnce(userInfo, ':');
    return `${scheme}${password === undefined ? user : `${user}:[redacted]`}@`;
  });
  if (query === undefined) return withoutPassword;
  const params = query
    .split('&')
    .map((pair) => (/^[^=]*(password|secret|token)[^=]*=/i.test(pair) ? `${pair.slice(0, pair.indexOf('='))}=[redacted]` : pair));
  return `${withoutPassword}?${params.join('&')}`;
}

/** `host:port` (every host of a seed list), for the log line an operator reads first. */
export function hostOf(url: string): string {
  const afterScheme = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const authority = afterScheme.split(/[/?#]/)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** Text from a driver's error with the URL's password taken out, should the driver have quoted it. */
export function describeError(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const password = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1];
  const secrets = password ? [password, safeDecode(password)] : [];
  return redact(message, secrets) || (error instanceof Error ? error.name : 'unknown error');
}

/** Redis or MongoDB could not be reached at boot: the process stops and says which variable to check. */
export class DependencyUnavailableError extends Error {
  readonly variable: string;
  readonly target: string;
  readonly host: string;
  /** The driver's words, password removed. */
  readonly reason: string;

  constructor(
    readonly dependency: DependencyName,
    url: string,
    cause: unknown,
  ) {
    const reason = describeError(cause, url);
    super(`${dependency} is unreachable at ${redactUrl(url)}: ${reason}`);
    this.name = new.target.name;
    this.reason = reason;
    this.variable = DEPENDENCY_VARIABLE[dependency];
    this.target = redactUrl(url);
    this.host = hostOf(url);
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** The log line's fields. */
  details(): Record<string, string> {
    return { dependency: this.dependency, variable: this.variable, target: this.target, host: this.host, error: this.reason };
  }
}

/** Errors that only say a connection is down (the dependency watch reports those once, as a state). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)$/.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Connection is closed|connect ECONNREFUSED|read ECONNRESET|Stream isn't writeable|Socket closed unexpectedly|getaddrinfo/i.test(message);
}

/** What the watch needs of an ioredis client or a mongoose connection: their events. */
export interface EventSource {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
}

/** Which events of a client mean up, down (with an error or not). */
export interface ConnectionEvents {
  up: string[];
  down: string[];
}

/** ioredis: `ready` after every (re)connect, `error` and `close` when the connection fails or drops. */
export const REDIS_EVENTS: ConnectionEvents = { up: ['ready'], down: ['error', 'close'] };
/** mongoose: `connected`/`reconnected` and `disconnected` (after the driver's heartbeat fails). */
export const MONGO_EVENTS: ConnectionEvents = { up: ['connected', 'reconnected'], down: ['disconnected', 'error'] };

export interface DependencyWatchOptions {
  dependency: DependencyName;
  url: string;
  logger: Logger;
  now?: () => number;
  /**
   * A connection that closes without an error is reported this long later (default 250 ms): the
   * driver's error (ECONNREFUSED, WRONGPASS…) usually follows and says more, and a connection back
   * by then was a blip, not an outage.
   */
  graceMs?: number;
}

interface Outage {
  since: number;
  error?: string;
  reported: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * One dependency's connections (Redis: the producer's, the subscriber's, the workers'; MongoDB: the
 * store's). It is down as soon as one connection is; it is back once every one is up again. Each
 * change is logged once, as JSON, naming the variable to check.
 */
export class DependencyWatch {
  private readonly states = new Map<string, 'up' | 'down' | 'unknown'>();
  private readonly detach: Array<() => void> = [];
  private outage: Outage | null = null;
  private everUp = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: DependencyWatchOptions) {
    this.now = options.now ?? Date.now;
  }

  get dependency(): DependencyName {
    return this.options.dependency;
  }

  /** Whether every watched connection is up (unknown, i.e. still connecting, counts as not up). */
  get up(): boolean {
    return this.states.size > 0 && [...this.states.values()].every((state) => state === 'up');
  }

  watch(name: string, source: EventSource, events: ConnectionEvents, upNow = false): void {
    this.states.set(name, upNow ? 'up' : 'unknown');
    if (upNow) this.everUp = true;
    const onUp = () => this.connectionUp(name);
    const onDown = (error?: unknown) => this.connectionDown(name, error);
    for (const event of events.up) source.on(event, onUp);
    for (const event of events.down) source.on(event, onDown);
    this.detach.push(() => {
      for (const event of events.up) source.off?.(event, onUp);
      for (const event of events.down) source.off?.(event, onDown);
    });
  }

  /** Before a deliberate close: what follows is not an outage. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.outage?.timer);
    for (const detach of this.detach.splice(0)) detach();
  }

  private connectionUp(name: string): void {
    if (this.stopped) return;
    this.states.set(name, 'up');
    const wasUp = this.everUp;
    this.everUp = true;
    const outage = this.outage;
    if (!outage || !this.up) return;
    this.outage = null;
    clearTimeout(outage.timer);
    if (!outage.reported) return;
    const { dependency } = this.options;
    this.options.logger.info(wasUp ? `${dependency} connection restored` : `${dependency} answered`, {
      dependency,
      target: redactUrl(this.options.url),
      downForMs: this.now() - outage.since,
    });
  }

  private connectionDown(name: string, error?: unknown): void {
    if (this.stopped) return;
    this.states.set(name, 'down');
    const text = error instanceof Error || typeof error === 'string' ? describeError(error, this.options.url) : undefined;
    const outage = (this.outage ??= { since: this.now(), reported: false });
    outage.error ??= text;
    if (outage.reported) return;
    if (outage.error !== undefined) {
      this.report(outage, name);
    } else if (!outage.timer) {
      outage.timer = setTimeout(() => this.report(outage, name), this.options.graceMs ?? 250);
      outage.timer.unref();
    }
  }

  private report(outage: Outage, connection: string): void {
    clearTimeout(outage.timer);
    if (this.stopped || outage.reported || this.outage !== outage) return;
    outage.reported = true;
    const { dependency, url } = this.options;
    const variable = DEPENDENCY_VARIABLE[dependency];
    const what = this.everUp ? `${dependency} connection lost` : `${dependency} is unreachable`;
    this.options.logger.error(`${what}: check ${variable} and that ${dependency} is running; retrying`, {
      dependency,
      variable,
      target: redactUrl(url),
      host: hostOf(url),
      connection,
      error: outage.error ?? 'the connection closed',
    });
  }
}

/** `pcsm_sync_dependency_up{dependency}`: 1 while every connection to it is up. */
export function registerDependencyMetrics(metrics: Metrics, watches: DependencyWatch[]): void {
  metrics.gauge('pcsm_sync_dependency_up', '1 while every connection of this process to the dependency is up, else 0', ['dependency'], (gauge) => {
    for (const watch of watches) gauge.set({ dependency: watch.dependency }, watch.up ? 1 : 0);
  });
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface ReachabilityWait {
  timeoutMs: number;
  retryMs?: number;
  /** Told once, at the first failure (the caller logs it). */
  onFirstFailure(error: unknown): void;
}

/**
 * Runs `probe` until it succeeds or `timeoutMs` has passed: null once it succeeded, else the last
 * error. The process can then start for real, or stop and say why.
 */
export async function waitUntilReachable(probe: () => Promise<void>, options: ReachabilityWait): Promise<unknown> {
  const giveUpAt = Date.now() + options.timeoutMs;
  let failures = 0;
  for (;;) {
    try {
      await probe();
      return null;
    } catch (error) {
      failures += 1;
      if (failures === 1) options.onFirstFailure(error);
      if (Date.now() + (options.retryMs ?? 1_000) >= giveUpAt) return error ?? new Error('unreachable');
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1_000));
  }
}

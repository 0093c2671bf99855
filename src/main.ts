import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { DEPENDENCY_VARIABLE, DependencyUnavailableError, describeError, hostOf, redactUrl, waitUntilReachable } from './observability/dependencies';
import { watchParent } from './observability/lifecycle';
import { redisOptions, startRuntime, type Runtime } from './runtime';

const ROLES = { api: { api: true, worker: false }, worker: { api: false, worker: true }, all: { api: true, worker: true } };

/** Running jobs and requests get this long after SIGTERM; then they are abandoned (jobs run again elsewhere). */
const STOP_DEADLINE_MS = 7_000;
/** Whatever still hangs then: exit 1. Docker's default stop timeout (then SIGKILL) is 10 s. */
const HARD_EXIT_MS = 9_500;
/**
 * Redis unreachable at boot: the process waits this long, saying so, then exits 1 so that its
 * supervisor restarts it and shows the failure (rather than a process that says `started` and
 * answers 503 to everything).
 */
const REDIS_BOOT_WAIT_MS = 30_000;

/** Read here until src/config.ts takes it: seconds of ready jobs with nothing moving before a worker counts as stalled. */

/** `node dist/src/main.js api|worker|all` — the processes behind npm start, start:api and start:worker. */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as keyof typeof ROLES;
  if (!(role in ROLES)) {
    process.stderr.write(`usage: main.js api|worker|all (got "${role}")\n`);
    process.exit(2);
  }
  const service = `pcsm-autotask-sync-${role}`;
  const { config, stallAfterMs } = readSettings(service);
  const logger = createLogger({ level: config.logLevel, service });
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));

  let runtime: Runtime | null = null;
  let stopping = false;
  const stop = (reason: string, details: Record<string, unknown> = {}) => {
    if (stopping) {
      logger.warn('stopping already; a second request stops at once', { reason });
      exitAfterLogs(logger, 1);
      return;
    }
    stopping = true;
    const startedAt = Date.now();
    logger.info('stopping', { reason, ...details, deadlineMs: STOP_DEADLINE_MS });
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${HARD_EXIT_MS} ms: exiting anyway`, { running: runtime?.workers?.running() ?? [] });
      exitAfterLogs(logger, 1);
    }, HARD_EXIT_MS).unref();
    (runtime ? runtime.close({ deadlineMs: STOP_DEADLINE_MS }) : Promise.resolve()).then(
      () => {
        logger.info('stopped', { tookMs: Date.now() - startedAt });
        exitAfterLogs(logger, 0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error, tookMs: Date.now() - startedAt });
        exitAfterLogs(logger, 1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  watchParent((parentPid) => stop('the parent process exited (npm was stopped)', { parentPid }));

  if (!(await redisAnswers(config, logger))) return exitAfterLogs(logger, 1);
  if (stopping) return;
  runtime = await startRuntime(config, { ...ROLES[role], logger, watchdog: { stallAfterMs } });
  if (stopping) {
    // A signal came while it started: close what just started, within the same deadline.
    await runtime.close({ deadlineMs: STOP_DEADLINE_MS });
    return;
  }
  logger.info('started', { role });
}

function readSettings(service: string): { config: Config; stallAfterMs: number } {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !config) {
    const logger = createLogger({ level: 'error', service });
    logger.error('invalid environment: fix every variable below, then start again', { problems });
    exitAfterLogs(logger, 1);
    throw new ConfigError(problems);
  }
  return { config, stallAfterMs: config.workerStallSeconds * 1000 };
}

/** Waits for Redis at boot (bounded, see REDIS_BOOT_WAIT_MS), logging what to check. */
async function redisAnswers(config: Config, logger: Logger): Promise<boolean> {
  const fields = { dependency: 'Redis', variable: DEPENDENCY_VARIABLE.Redis, target: redactUrl(config.redisUrl), host: hostOf(config.redisUrl) };
  const probe = async () => {
    const client = new Redis({ ...redisOptions(config.redisUrl), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
    // The socket's own error (ECONNREFUSED, WRONGPASS…) says more than the rejection ("Connection is closed").
    let cause: unknown;
    client.on('error', (error: unknown) => (cause ??= error));
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      throw cause ?? error;
    } finally {
      client.disconnect();
    }
  };
  let failed = false;
  const error = await waitUntilReachable(probe, {
    timeoutMs: REDIS_BOOT_WAIT_MS,
    onFirstFailure: (first) => {
      failed = true;
      logger.error(`Redis is unreachable: check REDIS_URL and that Redis is running; waiting up to ${REDIS_BOOT_WAIT_MS / 1000} s`, {
        ...fields,
        error: describeError(first, config.redisUrl),
      });
    },
  });
  if (error === null) {
    if (failed) logger.info('Redis answered', fields);
    return true;
  }
  logger.error(`Redis is still unreachable after ${REDIS_BOOT_WAIT_MS / 1000} s: check REDIS_URL; exiting`, { ...fields, error: describeError(error, config.redisUrl) });
  return false;
}

/** Exits once the logger has written everything (winston writes asynchronously). */
function exitAfterLogs(logger: Logger, code: number): void {
  process.exitCode = code;
  logger.on('error', () => undefined);
  logger.once('finish', () => process.exit(code));
  setTimeout(() => process.exit(code), 1_000).unref();
  logger.end();
}

void main().catch((error: unknown) => {
  if (error instanceof ConfigError) return;
  const logger = createLogger({ level: 'error', service: `pcsm-autotask-sync-${process.argv[2] ?? 'all'}` });
  if (error instanceof DependencyUnavailableError) {
    logger.error(`${error.dependency} is unreachable: check ${error.variable} and that ${error.dependency} is running; exiting`, error.details());
  } else {
    logger.error('failed to start', { error });
  }
  exitAfterLogs(logger, 1);
});

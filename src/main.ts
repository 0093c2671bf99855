import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startRuntime } from './runtime';

const ROLES = { api: { api: true, worker: false }, worker: { api: false, worker: true }, all: { api: true, worker: true } };

/** `node dist/src/main.js api|worker|all` — the processes behind npm start, start:api and start:worker. */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as keyof typeof ROLES;
  if (!(role in ROLES)) {
    process.stderr.write(`usage: main.js api|worker|all (got "${role}")\n`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, service: `pcsm-autotask-sync-${role}` });
  const runtime = await startRuntime(config, { ...ROLES[role], logger });
  logger.info('started', { role });
  const stop = async (signal: string) => {
    logger.info('stopping', { signal });
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));
}

void main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

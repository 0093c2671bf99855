/**
 * What every simulator's standalone entry point (`npm run sim:…`) does alike: read where to listen
 * and where to send webhooks from `<PREFIX>_SIM_*` variables, print how to reach it, and close it on
 * SIGINT/SIGTERM; a start-up failure is one line on stderr and exit status 1.
 */

/** `<PREFIX>_SIM_HOST` (default 127.0.0.1) and `<PREFIX>_SIM_PORT`. */
export function listenAddress(prefix: string, defaultPort: number): { host: string; port: number } {
  const variable = `${prefix}_SIM_PORT`;
  const port = Number(process.env[variable] ?? defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable} is not a port: ${process.env[variable]}`);
  return { host: process.env[`${prefix}_SIM_HOST`] ?? '127.0.0.1', port };
}

/** `<PREFIX>_SIM_WEBHOOK_URL` and `<PREFIX>_SIM_WEBHOOK_SECRET`, both or neither. */
export function webhookTargetFromEnv(prefix: string): { url: string; secret: string } | undefined {
  const urlVariable = `${prefix}_SIM_WEBHOOK_URL`;
  const secretVariable = `${prefix}_SIM_WEBHOOK_SECRET`;
  const url = process.env[urlVariable];
  const secret = process.env[secretVariable];
  if (!url && !secret) return undefined;
  if (!url || !secret) throw new Error(`${urlVariable} and ${secretVariable} must be set together`);
  try {
    new URL(url);
  } catch {
    throw new Error(`${urlVariable} is not a URL: ${url}`);
  }
  return { url, secret };
}

/** Starts the simulator, prints its banner, and keeps it serving until a signal closes it. */
export function serveStandalone(start: () => Promise<{ simulator: { close(): Promise<void> }; banner: string[] }>): void {
  start()
    .then(({ simulator, banner }) => {
      process.stdout.write(`${banner.join('\n')}\n`);
      const stop = (): void => {
        void simulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}

/** Standalone simulator: `npm run sim:autotask` (AUTOTASK_SIM_PORT, default 4000; AUTOTASK_SIM_HOST, default 127.0.0.1). */
import { DEFAULT_CREDENTIALS, startAutotaskSimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.AUTOTASK_SIM_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`AUTOTASK_SIM_PORT is not a port: ${process.env.AUTOTASK_SIM_PORT}`);
  const host = process.env.AUTOTASK_SIM_HOST ?? '127.0.0.1';
  const simulator = await startAutotaskSimulator({ host, port });
  const lines = [
    `Autotask simulator listening on ${simulator.url}`,
    `  zone lookup:  ${simulator.zoneLookupUrl}?user=${DEFAULT_CREDENTIALS.username}`,
    `  REST root:    ${simulator.zoneUrl}`,
    `  controls:     ${simulator.url}/__sim/ (reset, requests, tickets, webhook-deliveries, webhooks/idle, faults/…, threshold)`,
    `  credentials:  UserName ${DEFAULT_CREDENTIALS.username}, ApiIntegrationCode ${DEFAULT_CREDENTIALS.integrationCode}, Secret ${DEFAULT_CREDENTIALS.secret}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

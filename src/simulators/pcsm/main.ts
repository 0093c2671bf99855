/**
 * Standalone simulator: `npx ts-node --transpile-only src/simulators/pcsm/main.ts`
 * (PCSM_SIM_PORT, default 4001; PCSM_SIM_HOST, default 127.0.0.1; PCSM_SIM_WEBHOOK_URL and
 * PCSM_SIM_WEBHOOK_SECRET, both or neither, to send webhooks from the start).
 */
import { startPcsmSimulator, type WebhookTarget } from './index';

function webhookFromEnv(): WebhookTarget | undefined {
  const url = process.env.PCSM_SIM_WEBHOOK_URL;
  const secret = process.env.PCSM_SIM_WEBHOOK_SECRET;
  if (!url && !secret) return undefined;
  if (!url || !secret) throw new Error('PCSM_SIM_WEBHOOK_URL and PCSM_SIM_WEBHOOK_SECRET must be set together');
  try {
    new URL(url);
  } catch {
    throw new Error(`PCSM_SIM_WEBHOOK_URL is not a URL: ${url}`);
  }
  return { url, secret };
}

async function main(): Promise<void> {
  const port = Number(process.env.PCSM_SIM_PORT ?? 4001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PCSM_SIM_PORT is not a port: ${process.env.PCSM_SIM_PORT}`);
  const host = process.env.PCSM_SIM_HOST ?? '127.0.0.1';
  const webhook = webhookFromEnv();
  const simulator = await startPcsmSimulator({ host, port, ...(webhook ? { webhook } : {}) });
  const lines = [
    `PCSM simulator listening on ${simulator.url}`,
    `  API:       ${simulator.url}/api/v1/ (Authorization: Bearer ${simulator.apiKey})`,
    `  account:   ${simulator.account.id} "${simulator.account.name}"`,
    `  webhooks:  ${webhook ? webhook.url : 'none yet (PUT /__sim/webhook { url, secret })'}`,
    `  controls:  ${simulator.url}/__sim/ (reset, requests, tickets, profiles, webhook, faults/…)`,
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

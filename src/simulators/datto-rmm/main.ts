/**
 * Standalone simulator: `npx ts-node --transpile-only src/simulators/datto-rmm/main.ts`
 * (DATTO_SIM_PORT, default 4002; DATTO_SIM_HOST, default 127.0.0.1; DATTO_SIM_PUBLIC_URL, the origin
 * paging URLs point at when clients reach it by another name; DATTO_SIM_WEBHOOK_URL and
 * DATTO_SIM_WEBHOOK_SECRET, both or neither, to send webhooks from the start, with
 * DATTO_SIM_WEBHOOK_AUTH `header` (default) or `query`).
 */
import { startDattoRmmSimulator, type WebhookTarget } from './index';

function webhookFromEnv(): WebhookTarget | undefined {
  const url = process.env.DATTO_SIM_WEBHOOK_URL;
  const secret = process.env.DATTO_SIM_WEBHOOK_SECRET;
  if (!url && !secret) return undefined;
  if (!url || !secret) throw new Error('DATTO_SIM_WEBHOOK_URL and DATTO_SIM_WEBHOOK_SECRET must be set together');
  try {
    new URL(url);
  } catch {
    throw new Error(`DATTO_SIM_WEBHOOK_URL is not a URL: ${url}`);
  }
  const auth = process.env.DATTO_SIM_WEBHOOK_AUTH ?? 'header';
  if (auth !== 'header' && auth !== 'query') throw new Error(`DATTO_SIM_WEBHOOK_AUTH must be header or query: ${auth}`);
  return { url, secret, auth };
}

async function main(): Promise<void> {
  const port = Number(process.env.DATTO_SIM_PORT ?? 4002);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DATTO_SIM_PORT is not a port: ${process.env.DATTO_SIM_PORT}`);
  const host = process.env.DATTO_SIM_HOST ?? '127.0.0.1';
  const publicUrl = process.env.DATTO_SIM_PUBLIC_URL;
  const webhook = webhookFromEnv();
  const simulator = await startDattoRmmSimulator({ host, port, ...(publicUrl ? { publicUrl } : {}), ...(webhook ? { webhook } : {}) });
  const lines = [
    `Datto RMM simulator listening on ${simulator.url}`,
    `  token:     POST ${simulator.tokenUrl} (Basic public-client:public; grant_type=password&username=${simulator.credentials.apiKey}&password=${simulator.credentials.apiSecret})`,
    `  API:       ${simulator.url}/api/v2/ (Authorization: Bearer <access_token>)`,
    `  account:   ${simulator.account.uid} "${simulator.account.name}"`,
    `  webhooks:  ${webhook ? `${webhook.url} (secret in ${webhook.auth})` : 'none yet (PUT /__sim/webhook { url, secret, auth })'}`,
    `  controls:  ${simulator.url}/__sim/ (reset, requests, sites, alerts, tokens, limits, webhook, faults/…)`,
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

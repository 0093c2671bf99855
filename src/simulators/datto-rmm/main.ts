/**
 * Standalone simulator: `npm run sim:datto-rmm` (DATTO_SIM_PORT, default 4002; DATTO_SIM_HOST,
 * default 127.0.0.1; DATTO_SIM_PUBLIC_URL, the origin paging URLs point at when clients reach it by
 * another name; DATTO_SIM_WEBHOOK_URL and DATTO_SIM_WEBHOOK_SECRET, both or neither, to send webhooks
 * from the start, with DATTO_SIM_WEBHOOK_AUTH `header` (default) or `query`).
 */
import { listenAddress, serveStandalone, webhookTargetFromEnv } from '../standalone';
import { startDattoRmmSimulator, type WebhookTarget } from './index';

function webhookFromEnv(): WebhookTarget | undefined {
  const target = webhookTargetFromEnv('DATTO');
  if (!target) return undefined;
  const auth = process.env.DATTO_SIM_WEBHOOK_AUTH ?? 'header';
  if (auth !== 'header' && auth !== 'query') throw new Error(`DATTO_SIM_WEBHOOK_AUTH must be header or query: ${auth}`);
  return { ...target, auth };
}

serveStandalone(async () => {
  const publicUrl = process.env.DATTO_SIM_PUBLIC_URL;
  const webhook = webhookFromEnv();
  const simulator = await startDattoRmmSimulator({ ...listenAddress('DATTO', 4002), ...(publicUrl ? { publicUrl } : {}), ...(webhook ? { webhook } : {}) });
  const banner = [
    `Datto RMM simulator listening on ${simulator.url}`,
    `  token:     POST ${simulator.tokenUrl} (Basic public-client:public; grant_type=password&username=${simulator.credentials.apiKey}&password=${simulator.credentials.apiSecret})`,
    `  API:       ${simulator.url}/api/v2/ (Authorization: Bearer <access_token>)`,
    `  account:   ${simulator.account.uid} "${simulator.account.name}"`,
    `  webhooks:  ${webhook ? `${webhook.url} (secret in ${webhook.auth})` : 'none yet (PUT /__sim/webhook { url, secret, auth })'}`,
    `  controls:  ${simulator.url}/__sim/ (reset, requests, sites, alerts, tokens, limits, webhook, faults/…)`,
  ];
  return { simulator, banner };
});

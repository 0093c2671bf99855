/**
 * Standalone simulator: `npm run sim:pcsm` (PCSM_SIM_PORT, default 4001; PCSM_SIM_HOST, default
 * 127.0.0.1; PCSM_SIM_WEBHOOK_URL and PCSM_SIM_WEBHOOK_SECRET, both or neither, to send webhooks
 * from the start).
 */
import { listenAddress, serveStandalone, webhookTargetFromEnv } from '../standalone';
import { startPcsmSimulator } from './index';

serveStandalone(async () => {
  const webhook = webhookTargetFromEnv('PCSM');
  const simulator = await startPcsmSimulator({ ...listenAddress('PCSM', 4001), ...(webhook ? { webhook } : {}) });
  const banner = [
    `PCSM simulator listening on ${simulator.url}`,
    `  API:       ${simulator.url}/api/v1/ (Authorization: Bearer ${simulator.apiKey})`,
    `  account:   ${simulator.account.id} "${simulator.account.name}"`,
    `  webhooks:  ${webhook ? webhook.url : 'none yet (PUT /__sim/webhook { url, secret })'}`,
    `  controls:  ${simulator.url}/__sim/ (reset, requests, tickets, profiles, webhook, faults/…)`,
  ];
  return { simulator, banner };
});

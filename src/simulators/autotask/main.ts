/** Standalone simulator: `npm run sim:autotask` (AUTOTASK_SIM_PORT, default 4000; AUTOTASK_SIM_HOST, default 127.0.0.1). */
import { listenAddress, serveStandalone } from '../standalone';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator } from './index';

serveStandalone(async () => {
  const simulator = await startAutotaskSimulator(listenAddress('AUTOTASK', 4000));
  const banner = [
    `Autotask simulator listening on ${simulator.url}`,
    `  zone lookup:  ${simulator.zoneLookupUrl}?user=${DEFAULT_CREDENTIALS.username}`,
    `  REST root:    ${simulator.zoneUrl}`,
    `  controls:     ${simulator.url}/__sim/ (reset, requests, tickets, webhook-deliveries, webhooks/idle, faults/…, threshold)`,
    `  credentials:  UserName ${DEFAULT_CREDENTIALS.username}, ApiIntegrationCode ${DEFAULT_CREDENTIALS.integrationCode}, Secret ${DEFAULT_CREDENTIALS.secret}`,
  ];
  return { simulator, banner };
});

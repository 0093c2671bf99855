/**
 * The whole pipeline on loopback for the demo and the benchmarks: Redis and MongoDB found or
 * started as the tests do, the Autotask, PCSM and Datto RMM simulators, and the api + worker in
 * this process.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { signPcsmPayload } from '../src/ingress/pcsm-signature';
import { createLogger } from '../src/logger';
import { startRuntime, type Runtime } from '../src/runtime';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../src/simulators/autotask';
import { startDattoRmmSimulator, type DattoRmmSimulator } from '../src/simulators/datto-rmm';
import { startPcsmSimulator, type PcsmSimulator } from '../src/simulators/pcsm';
import { DATTO_SEEDED_MAPPINGS, SEEDED_MAPPINGS } from '../src/simulators/seed-mappings';
import { databaseUrl, ensureMongo, ensureRedis } from './services';

export const PCSM_WEBHOOK_SECRET = 'local-pcsm-webhook-secret';
export const DATTO_WEBHOOK_SECRET = 'local-datto-rmm-webhook-secret';

/**
 * Associations that fit the Datto RMM simulator's seed and the Autotask simulator's: each site with
 * the company the site itself names (174 Fabrikam Ltd, 175 Northwind Traders), Open → New,
 * Resolved → Complete, Critical for Critical and High as the wizard suggests.
 */

export interface LocalPipeline {
  url: string;
  adminToken: string;
  sim: AutotaskSimulator;
  pcsm: PcsmSimulator;
  datto: DattoRmmSimulator;
  runtime: Runtime;
  adminHeaders: Record<string, string>;
  /** A PCSM connector on the PCSM simulator; the simulator's webhooks go to it. */
  createConnector(id: string): Promise<void>;
  /** A Datto RMM connector on the Datto RMM simulator; the simulator's webhooks go to it. */
  createDattoConnector(id: string): Promise<void>;
  sendPcsm(connectorId: string, event: unknown): Promise<number>;
  /** The link's state (`synced`, `pending`, …) of a PCSM ticket or Datto RMM alert, `none` before it has one. */
  linkState(connectorId: string, rmmTicketId: string): Promise<string>;
  /** Resolves true once the connector has no job waiting or running (housekeeping schedules aside), false after `timeoutMs`. */
  settled(connectorId: string, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface LocalPipelineOptions {
  port?: number;
  logLevel?: string;
  concurrency?: number;
  /** MongoDB command monitoring (the driver's `monitorCommands`), for counting what the store spends. */
  monitorMongoCommands?: boolean;
  /** Extra environment for the connector's configuration (e.g. SYNC_SETTLE_MS). */
  env?: Record<string, string>;
}

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const redis = await ensureRedis();
  const mongo = await ensureMongo();
  const sim = await startAutotaskSimulator({ port: Number(process.env.AUTOTASK_SIM_PORT ?? 0) });
  const pcsm = await startPcsmSimulator({ port: Number(process.env.PCSM_SIM_PORT ?? 0) });
  const datto = await startDattoRmmSimulator({ port: Number(process.env.DATTO_SIM_PORT ?? 0) });
  const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(18).toString('hex');
  const runId = Date.now().toString(36);
  const config = loadConfig({
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    MONGO_URL: withMonitoring(databaseUrl(mongo.url, `pcsm_autotask_sync_local_${runId}`), options.monitorMongoCommands ?? false),
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    QUEUE_PREFIX: `pcsm-local-${runId}`,
    WORKER_CONCURRENCY: String(options.concurrency ?? 10),
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...options.env,
  });
  const runtime = await startRuntime(config, {
    api: true,
    worker: true,
    logger: createLogger({ level: config.logLevel, service: 'pcsm-autotask-sync-local' }),
  });
  const url = runtime.url!;
  const adminHeaders = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };

  /** PUT the connector, then have Autotask report its ticket changes to it (its TicketWebhook). */
  const putConnector = async (id: string, connector: Record<string, unknown>) => {
    const response = await fetch(`${url}/api/v1/connectors/${id}`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify({ ...connector, autotask: { ...DEFAULT_CREDENTIALS, webhookSecret: 'local-autotask-webhook-secret' } }),
    });
    if (!response.ok) throw new Error(`could not create connector ${id}: ${response.status} ${await response.text()}`);
    const registered = await fetch(`${url}/api/v1/connectors/${id}/autotask-webhook`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ publicUrl: url }),
    });
    if (!registered.ok) throw new Error(`could not register the Autotask webhook: ${registered.status} ${await registered.text()}`);
  };

  return {
    url,
    adminToken,
    sim,
    pcsm,
    datto,
    runtime,
    adminHeaders,
    async createConnector(id) {
      await putConnector(id, {
        name: 'Local MSP',
        rmm: { kind: 'pcsm', accountId: pcsm.account.id, apiUrl: pcsm.url, apiKey: pcsm.apiKey, webhookSecret: PCSM_WEBHOOK_SECRET },
        mappings: SEEDED_MAPPINGS,
      });
      // The PCSM simulator now reports changes to this connector, as PCSM would once set up.
      pcsm.setWebhook({ url: `${url}/webhooks/pcsm/${id}`, secret: PCSM_WEBHOOK_SECRET });
    },
    async createDattoConnector(id) {
      await putConnector(id, {
        name: 'Local MSP (Datto RMM)',
        rmm: { kind: 'datto-rmm', apiUrl: datto.url, ...datto.credentials, webhookSecret: DATTO_WEBHOOK_SECRET },
        mappings: DATTO_SEEDED_MAPPINGS,
      });
      // The webhook the MSP pastes into Datto RMM: the secret travels in a header (Datto RMM cannot sign).
      datto.setWebhook({ url: `${url}/webhooks/datto-rmm/${id}`, secret: DATTO_WEBHOOK_SECRET, auth: 'header' });
    },
    async sendPcsm(connectorId, event) {
      const raw = JSON.stringify(event);
      const response = await fetch(`${url}/webhooks/pcsm/${connectorId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pcsm-signature': signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000)),
        },
        body: raw,
      });
      await response.arrayBuffer();
      return response.status;
    },
    async linkState(connectorId, rmmTicketId) {
      const response = await fetch(`${url}/api/v1/connectors/${connectorId}/tickets/${encodeURIComponent(rmmTicketId)}`, { headers: adminHeaders });
      return response.ok ? ((await response.json()) as { state: string }).state : 'none';
    },
    settled(connectorId, timeoutMs) {
      const queue = runtime.producer.connectorQueue(connectorId);
      return waitUntil(async () => {
        const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
        return jobs.every((job) => !job || job.repeatJobKey);
      }, timeoutMs, 100);
    },
    async stop() {
      for (const queue of runtime.producer.allQueues()) await queue.obliterate({ force: true }).catch(() => undefined);
      await runtime.store.connection.dropDatabase().catch(() => undefined);
      await runtime.close();
      await sim.close();
      await pcsm.close();
      await datto.close();
      await mongo.stop();
      await redis.stop();
    },
  };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

function withMonitoring(url: string, monitor: boolean): string {
  return monitor ? `${url}${url.includes('?') ? '&' : '?'}monitorCommands=true` : url;
}

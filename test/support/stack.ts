import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config';
import type { ConnectorInput } from '../../src/connector/configuration';
import { signAutotaskPayload } from '../../src/ingress/autotask-signature';
import { signPcsmPayload } from '../../src/ingress/pcsm-signature';
import { createLogger } from '../../src/logger';
import type { PcsmTicket } from '../../src/pcsm/events';
import { startRuntime, type Runtime } from '../../src/runtime';
import { AutotaskSimulator, DEFAULT_CREDENTIALS, startAutotaskSimulator } from '../../src/simulators/autotask';
import { DEFAULT_DATTO_CREDENTIALS, startDattoRmmSimulator, type DattoRmmSimulator, type DattoRmmSimulatorOptions } from '../../src/simulators/datto-rmm';
import { startPcsmSimulator, type PcsmSimulator } from '../../src/simulators/pcsm';
import { SEEDED_MAPPINGS } from '../../src/simulators/seed-mappings';
import { testMongoUrl, testRedisUrl, uniqueName } from '../harness/context';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const PCSM_WEBHOOK_SECRET = 'pcsm-webhook-secret-for-tests';
export const AUTOTASK_WEBHOOK_SECRET = 'autotask-webhook-secret';
export const CALLOUT = { username: 'callout-user', password: 'callout-password-secret' };
export const DATTO_WEBHOOK_SECRET = 'datto-webhook-secret-for-tests';

/** A connector wired to the simulators and their seeds (see SEEDED_MAPPINGS). */
export function connectorInput(
  sim: AutotaskSimulator,
  overrides: Partial<ConnectorInput> = {},
  pcsm: { url: string; apiKey: string } = { url: 'http://127.0.0.1:4001', apiKey: 'pcsm-api-key-secret' },
): ConnectorInput {
  return {
    name: 'Contoso MSP',
    rmm: { kind: 'pcsm', accountId: 'acc-1', apiUrl: pcsm.url, apiKey: pcsm.apiKey, webhookSecret: PCSM_WEBHOOK_SECRET },
    autotask: {
      username: DEFAULT_CREDENTIALS.username,
      secret: DEFAULT_CREDENTIALS.secret,
      integrationCode: DEFAULT_CREDENTIALS.integrationCode,
      zoneUrl: null,
      impersonationResourceId: null,
      webhookSecret: AUTOTASK_WEBHOOK_SECRET,
    },
    callout: { ...CALLOUT },
    mappings: structuredClone(SEEDED_MAPPINGS),
    newProfilePolicy: 'manual',
    ...overrides,
  };
}

let sequence = 0;

/** A PCSM ticket event as the contract shows it; every call gets a new event id. */
export function ticketEvent(ticket: Partial<PcsmTicket> = {}, type: 'ticket.created' | 'ticket.updated' = 'ticket.created') {
  sequence += 1;
  const updatedAt = ticket.updatedAt ?? new Date(Date.UTC(2026, 10, 27, 12, 0, 0) + sequence * 1000).toISOString();
  return {
    id: `evt_${Date.now().toString(36)}_${sequence}`,
    type,
    occurredAt: updatedAt,
    data: {
      id: 'T-1001',
      profileId: 'P-1',
      title: 'Disk C: 95% full',
      description: 'Free space on C: is below 5%.',
      status: 'New',
      severity: 4,
      deviceId: 'D-9',
      deviceName: 'SRV01',
      ...ticket,
      updatedAt,
    },
  };
}

export interface SendOptions {
  secret?: string;
  timestamp?: number;
  contentType?: string;
  signature?: string | null;
}

export type Reply = { status: number; body: any; headers: Headers };

export interface Stack {
  sim: AutotaskSimulator;
  /** The PCSM simulator; the connectors `input()` builds point at it and it sends its webhooks to connector c1. */
  pcsm: PcsmSimulator;
  /** A connector input wired to both simulators. */
  input(overrides?: Partial<ConnectorInput>): ConnectorInput;
  /** The Datto RMM simulator, when the stack was started with `dattoRmm`. */
  datto: DattoRmmSimulator | null;
  /** A connector input linked to the Datto RMM simulator and the Autotask one, with no associations yet. */
  dattoInput(overrides?: Partial<ConnectorInput>): ConnectorInput;
  runtime: Runtime;
  url: string;
  admin(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  putConnector(id?: string, input?: ConnectorInput): Promise<void>;
  sendPcsm(connectorId: string, event: unknown, options?: SendOptions): Promise<{ status: number; body: any; headers: Headers }>;
  sendRaw(connectorId: string, raw: string | Buffer, options?: SendOptions): Promise<{ status: number; body: any; headers: Headers }>;
  /** Posts `raw` (a string, so tests control every byte) as Autotask would, signed unless told otherwise. */
  sendAutotaskWebhook(connectorId: string, raw: string, options?: { secret?: string; signature?: string | null }): Promise<Reply>;
  sendCallout(
    connectorId: string,
    options: { method?: 'GET' | 'POST'; query?: string; form?: string; credentials?: { username: string; password: string } | null },
  ): Promise<Reply>;
  queues(): Queue[];
  /** The connector's own queue (every job of the connector runs there). */
  connectorQueue(connectorId?: string): Queue;
  /** The global queue (credentials checks). */
  maintenanceQueue(): Queue;
  /** The connector's jobs that wait or run, without the housekeeping schedules' next runs. */
  openJobs(connectorId?: string): Promise<import('bullmq').Job[]>;
  /** Resolves once the connector has no open job left. */
  idle(connectorId?: string, timeoutMs?: number): Promise<void>;
  jobCount(): Promise<number>;
  close(): Promise<void>;
}

export interface StackOptions {
  worker?: boolean;
  autotaskTimeoutMs?: number;
  redisUrl?: string;
  concurrency?: number;
  /** Receives the runtime's log lines (JSON), e.g. to check what a log would show an operator. */
  logger?: import('../../src/logger').Logger;
  /** The write schedule (ms); tests default to short waits. */
  settleMs?: number;
  maxWaitMs?: number;
  minIntervalMs?: number;
  refusalCoolDownMs?: number;
  reconcileIntervalSeconds?: number;
  /** Any other setting, by its environment name. */
  env?: Record<string, string>;
  /** Also start a Datto RMM simulator with these options (`stack.datto`, `stack.dattoInput()`). */
  dattoRmm?: DattoRmmSimulatorOptions;
}

/** The real stack on loopback: Autotask simulator, api and worker on real Redis and MongoDB, own queue prefix and database. */
export async function startStack(label: string, options: StackOptions = {}): Promise<Stack> {
  const sim = await startAutotaskSimulator({ port: 0 });
  const pcsm = await startPcsmSimulator({ port: 0 });
  const datto = options.dattoRmm ? await startDattoRmmSimulator({ port: 0, ...options.dattoRmm }) : null;
  const dbName = uniqueName(label);
  const config = loadConfig({
    ADMIN_TOKEN,
    SECRETS_KEY: Buffer.alloc(32, 42).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl ?? testRedisUrl(),
    MONGO_URL: testMongoUrl(dbName),
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    AUTOTASK_TIMEOUT_MS: String(options.autotaskTimeoutMs ?? 5000),
    QUEUE_PREFIX: uniqueName(label),
    WORKER_CONCURRENCY: String(options.concurrency ?? 10),
    SYNC_SETTLE_MS: String(options.settleMs ?? 200),
    SYNC_MAX_WAIT_MS: String(options.maxWaitMs ?? 5_000),
    SYNC_MIN_INTERVAL_MS: String(options.minIntervalMs ?? 300),
    ...(options.refusalCoolDownMs === undefined ? {} : { SYNC_REFUSAL_COOLDOWN_MS: String(options.refusalCoolDownMs) }),
    ...(options.reconcileIntervalSeconds === undefined ? {} : { RECONCILE_INTERVAL_SECONDS: String(options.reconcileIntervalSeconds) }),
    ...options.env,
    LOG_LEVEL: 'error',
  });
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', service: 'test' });
  const runtime = await startRuntime(config, { api: true, worker: options.worker ?? true, logger });
  const url = runtime.url!;
  pcsm.setWebhook({ url: `${url}/webhooks/pcsm/c1`, secret: PCSM_WEBHOOK_SECRET });

  const request = async (method: string, path: string, init: { body?: string | Buffer; headers: Record<string, string> }) => {
    const response = await fetch(`${url}${path}`, { method, body: init.body, headers: init.headers });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: body as any, headers: response.headers };
  };

  const stack: Stack = {
    sim,
    pcsm,
    input: (overrides = {}) => connectorInput(sim, overrides, { url: pcsm.url, apiKey: pcsm.apiKey }),
    datto,
    dattoInput(overrides = {}) {
      if (!datto) throw new Error('the stack has no Datto RMM simulator: start it with { dattoRmm: {} }');
      const { credentials = DEFAULT_DATTO_CREDENTIALS } = options.dattoRmm ?? {};
      return connectorInput(sim, {
        rmm: { kind: 'datto-rmm', apiUrl: datto.url, apiKey: credentials.apiKey, apiSecret: credentials.apiSecret, webhookSecret: DATTO_WEBHOOK_SECRET },
        mappings: { profiles: [], queueId: null, statuses: [], reverseStatuses: [], severities: [], allocationCodeId: null },
        ...overrides,
      });
    },
    runtime,
    url,
    admin: (method, path, body, token = ADMIN_TOKEN) =>
      request(method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      }),
    async putConnector(id = 'c1', input = stack.input()) {
      const response = await stack.admin('PUT', `/api/v1/connectors/${id}`, input);
      if (response.status >= 300) throw new Error(`PUT connector failed: ${response.status} ${JSON.stringify(response.body)}`);
    },
    sendPcsm: (connectorId, event, sendOptions) => stack.sendRaw(connectorId, JSON.stringify(event), sendOptions),
    sendRaw(connectorId, raw, sendOptions = {}) {
      const timestamp = sendOptions.timestamp ?? Math.floor(Date.now() / 1000);
      const signature =
        sendOptions.signature === undefined
          ? signPcsmPayload(sendOptions.secret ?? PCSM_WEBHOOK_SECRET, raw, timestamp)
          : sendOptions.signature;
      const headers: Record<string, string> = { 'content-type': sendOptions.contentType ?? 'application/json' };
      if (signature !== null) headers['x-pcsm-signature'] = signature;
      return request('POST', `/webhooks/pcsm/${connectorId}`, { body: raw, headers });
    },
    sendAutotaskWebhook(connectorId, raw, webhookOptions = {}) {
      const signature =
        webhookOptions.signature === undefined ? signAutotaskPayload(webhookOptions.secret ?? AUTOTASK_WEBHOOK_SECRET, raw) : webhookOptions.signature;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers['x-hook-signature'] = signature;
      return request('POST', `/webhooks/autotask/${connectorId}`, { body: raw, headers });
    },
    sendCallout(connectorId, calloutOptions) {
      const credentials = calloutOptions.credentials === undefined ? CALLOUT : calloutOptions.credentials;
      const headers: Record<string, string> = {};
      if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      if (calloutOptions.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const query = calloutOptions.query ? `?${calloutOptions.query}` : '';
      return request(calloutOptions.method ?? 'GET', `/callouts/autotask/${connectorId}${query}`, { body: calloutOptions.form, headers });
    },
    queues: () => runtime.producer.allQueues(),
    connectorQueue: (connectorId = 'c1') => runtime.producer.connectorQueue(connectorId),
    maintenanceQueue: () => runtime.producer.queue('maintenance'),
    async openJobs(connectorId = 'c1') {
      const jobs = await runtime.producer.connectorQueue(connectorId).getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      return jobs.filter((job) => job && !job.repeatJobKey);
    },
    async idle(connectorId = 'c1', timeoutMs = 10_000) {
      const { waitFor } = await import('../harness/context');
      await waitFor(async () => (await stack.openJobs(connectorId)).length === 0, { timeoutMs, message: `connector ${connectorId} to have no open job` });
    },
    async jobCount() {
      let total = 0;
      for (const queue of stack.queues()) {
        const counts = await queue.getJobCounts();
        total += Object.values(counts).reduce((sum, n) => sum + n, 0);
      }
      return total;
    },
    async close() {
      const queues = stack.queues();
      await runtime.close();
      for (const queue of queues) {
        // A fresh connection: the producer's was closed with the runtime.
        const { Queue } = await import('bullmq');
        const cleanup = new Queue(queue.name, { prefix: runtime.config.queuePrefix, connection: { url: runtime.config.redisUrl } });
        await cleanup.obliterate({ force: true }).catch(() => undefined);
        await cleanup.close();
      }
      const mongoose = (await import('mongoose')).default;
      const connection = await mongoose.createConnection(testMongoUrl(dbName)).asPromise();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
      await sim.close();
      await pcsm.close();
      await datto?.close();
    },
  };
  return stack;
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisOptions } from 'bullmq';
import mongoose from 'mongoose';
import type { JobDeps } from '../jobs/definition';
import { JobProducer, QueueUnavailableError } from '../jobs/producer';
import { buildRegistry } from '../jobs/registry';
import { startWorkers, type RunningWorkers } from '../workers/start-workers';
import { AutotaskClient } from './autotask/client';
import { RedisEndpointSlots } from './autotask/shared-endpoint-slots';
import type { Config } from './config';
import { createApp } from './ingress/app';
import { serve } from './ingress/serve';
import { createWorkerApp } from './ingress/worker-app';
import { createLogger, type Logger } from './logger';
import { Metrics } from './observability/metrics';
import { PcsmClient } from './pcsm/client';
import { isTicketEvent } from './pcsm/events';
import type { SetupDeps } from './setup/setup';
import type { Connector } from './connector/configuration';
import { createStore, type Store } from './store';
import { AutotaskTicketSync } from './sync/autotask-ticket-sync';
import { ProfileSync } from './sync/profile-sync';
import { TicketSync } from './sync/ticket-sync';

export interface RuntimeOptions {
  api: boolean;
  worker: boolean;
  logger?: Logger;
}

export interface Runtime {
  config: Config;
  store: Store;
  producer: JobProducer;
  logger: Logger;
  server: Server | null;
  /** Base URL of the api when it runs (the port may have been chosen by the OS). */
  url: string | null;
  workers: RunningWorkers | null;
  close(): Promise<void>;
}

/** How long the api trusts a cached webhook secret; a changed secret reaches every replica within this. */
const SECRET_CACHE_MS = 10_000;
/** Autotask's concurrent-request limit per integration and endpoint (integrations created after 2023.1). */
const AUTOTASK_THREADS_PER_ENDPOINT = 3;
/** How far back a connector's first reconciliation looks. */
const FIRST_RECONCILE_LOOKBACK_MS = 24 * 3600 * 1000;

/** The composition root: builds every part from the validated config and wires them together. */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'pcsm-autotask-sync' });
  const redis = redisOptions(config.redisUrl);

  const connection = await mongoose.createConnection(config.mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const store = createStore(connection, config.secretsKey);
  await store.ensureIndexes();

  const registry = buildRegistry();
  const producer = new JobProducer({ redis, prefix: config.queuePrefix, registry });
  const metrics = new Metrics();
  // Every call to either system is counted: Autotask's hourly budget is shared by the whole database.
  const autotaskCalls = metrics.counter('pcsm_sync_autotask_requests_total', 'Autotask REST requests by connector, method, entity and status');
  const pcsmCalls = metrics.counter('pcsm_sync_pcsm_requests_total', 'PCSM API requests by connector, method, route and status');
  const autotask = new AutotaskClient({
    zoneLookupUrl: config.autotaskZoneLookupUrl,
    timeoutMs: config.autotaskTimeoutMs,
    // Autotask's thread limit counts every replica of the install: the slots live in Redis.
    sharedSlots: new RedisEndpointSlots(producer.redis, {
      prefix: config.queuePrefix,
      limit: AUTOTASK_THREADS_PER_ENDPOINT,
      slotTtlMs: config.autotaskTimeoutMs + 10_000,
    }),
    onCall: (call) => autotaskCalls({ connector: call.connectorId, method: call.method, entity: call.entity, status: String(call.status) }),
  });
  const pcsm = new PcsmClient({
    timeoutMs: config.pcsmTimeoutMs,
    onCall: (call) => pcsmCalls({ connector: call.connectorId, method: call.method, route: call.route, status: String(call.status) }),
  });
  const setup: SetupDeps = {
    store,
    autotaskSession: (connector) => autotask.session(connector.id, connector.autotask),
    pcsmSession: (connector) => pcsm.session(connector.id, { apiUrl: connector.pcsm.apiUrl, apiKey: connector.pcsm.apiKey }),
  };
  /** Each connector's housekeeping: catalogue refresh and reconciliation, on their intervals. */
  const scheduleConnector = async (connectorId: string) => {
    await producer.scheduleEvery('catalogue-refresh', connectorId, config.catalogueRefreshIntervalSeconds * 1000, { connectorId });
    await producer.scheduleEvery('reconcile', connectorId, config.reconcileIntervalSeconds * 1000, { connectorId });
  };

  let workers: RunningWorkers | null = null;
  if (options.worker) {
    const ticketSync = new TicketSync({
      store,
      autotaskSession: setup.autotaskSession,
      pcsmSession: setup.pcsmSession,
      leaseMs: Math.max(60_000, 3 * config.autotaskTimeoutMs),
      busyRetryMs: 300,
      settleMs: config.syncSettleMs,
      maxSettleMs: 10 * config.syncSettleMs,
    });
    const autotaskTicketSync = new AutotaskTicketSync({
      store,
      autotaskSession: setup.autotaskSession,
      pcsmSession: setup.pcsmSession,
    });
    const deps: JobDeps = {
      store,
      ticketSync,
      autotaskTicketSync,
      profileSync: new ProfileSync({
        store,
        autotaskCompanies: (connector) => setup.autotaskSession(connector),
      }),
      setup,
      reconcile: {
        store,
        autotaskSession: setup.autotaskSession,
        pcsmSession: setup.pcsmSession,
        enqueueAutotaskChange: (connectorId, autotaskTicketId, deliveryId) =>
          producer.enqueue('autotask-ticket-changed', { connectorId, autotaskTicketId, source: 'reconciliation', deliveryId }),
        enqueuePcsmEvent: (connectorId, event) => producer.enqueue('pcsm-ticket-event', { connectorId, event }),
        firstRunLookbackMs: FIRST_RECONCILE_LOOKBACK_MS,
      },
    };
    workers = startWorkers({ redis, prefix: config.queuePrefix, concurrency: config.workerConcurrency, registry, deps, logger, metrics });
  }

  let server: Server | null = null;
  let url: string | null = null;
  if (options.api) {
    // Every connector keeps a scheduled catalogue refresh; upserting is idempotent across replicas.
    for (const connectorId of await store.connectors.listIds()) {
      await scheduleConnector(connectorId).catch((error: unknown) => logger.warn('could not schedule the connector housekeeping', { connectorId, error }));
    }
    // Ingress checks every delivery against the connector's secrets; a short cache keeps MongoDB out
    // of the hot path while a changed secret still reaches every replica within SECRET_CACHE_MS.
    const cache = new Map<string, { value: Connector | null; until: number }>();
    const cachedConnector = async (connectorId: string): Promise<Connector | null> => {
      const cached = cache.get(connectorId);
      if (cached && cached.until > Date.now()) return cached.value;
      const value = await store.connectors.get(connectorId);
      cache.set(connectorId, { value, until: Date.now() + SECRET_CACHE_MS });
      return value;
    };
    const app = createApp({
      adminToken: config.adminToken,
      store,
      logger,
      metrics,
      queues: producer.allQueues(),
      enqueuePcsmEvent: (connectorId, event) =>
        isTicketEvent(event)
          ? producer.enqueue('pcsm-ticket-event', { connectorId, event })
          : producer.enqueue('pcsm-profile-event', { connectorId, event }),
      isQueueUnavailable: (error) => error instanceof QueueUnavailableError,
      setup,
      enqueueCatalogueRefresh: (connectorId) => producer.enqueue('catalogue-refresh', { connectorId }),
      enqueueReconcile: (connectorId) => producer.enqueue('reconcile', { connectorId }),
      connectorSaved: (connectorId) => {
        cache.delete(connectorId);
        return scheduleConnector(connectorId).catch((error: unknown) => {
          // The next save or api start schedules it; the connector itself is saved either way.
          logger.warn('could not schedule the connector housekeeping', { connectorId, error });
        });
      },
      readiness: async () => ({
        redis: producer.redis.status === 'ready' && (await producer.redis.ping().then(() => true, () => false)),
        mongo: await connection.db!.admin().ping().then(() => true, () => false),
      }),
      pcsmWebhookSecret: async (connectorId) => (await cachedConnector(connectorId))?.pcsm.webhookSecret ?? null,
      autotaskWebhookSecret: async (connectorId) => (await cachedConnector(connectorId))?.autotask.webhookSecret ?? null,
      calloutCredentials: async (connectorId) => (await cachedConnector(connectorId))?.callout ?? null,
      enqueueAutotaskTrigger: (connectorId, trigger) =>
        producer.enqueue('autotask-ticket-changed', { connectorId, ...trigger }),
      autotaskWebhookDeactivated: (connectorId, notice) =>
        logger.error('Autotask deactivated the ticket webhook: register it again (connectors register-webhook)', {
          connectorId,
          notice,
        }),
    });
    server = await serve(app, config.port, config.host);
    const address = server.address() as AddressInfo;
    url = `http://${config.host}:${address.port}`;
    logger.info('api listening', { url, dashboard: `${url}/admin/queues` });
  }

  if (workers && !options.api && config.metricsPort !== null) {
    const running = workers;
    const app = createWorkerApp({
      adminToken: config.adminToken,
      metrics,
      queues: producer.allQueues(),
      consuming: () => running.workers.every((worker) => worker.isRunning()),
    });
    server = await serve(app, config.metricsPort, config.host);
    url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
    logger.info('worker metrics listening', { url: `${url}/metrics` });
  }

  return {
    config,
    store,
    producer,
    logger,
    server,
    url,
    workers,
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (workers) await workers.close();
      await producer.close();
      await connection.close();
    },
  };
}

export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { JobDeps } from '../jobs/definition';
import { JobProducer, QueueUnavailableError } from '../jobs/producer';
import { BUDGET_SHARE, RANK_NAMES, RANK_THAT_READS_THE_BUDGET, type Rank } from '../jobs/queues';
import { buildRegistry } from '../jobs/registry';
import { startWorkers, type RunningWorkers, type WatchdogSettings } from '../workers/start-workers';
import { AutotaskClient } from './autotask/client';
import { autotaskDatabase, BudgetGovernor } from './autotask/budget';
import { RedisEndpointSlots } from './autotask/shared-endpoint-slots';
import type { Config } from './config';
import { ConnectorDirectory } from './connector/directory';
import { createApp } from './ingress/app';
import { serve } from './ingress/serve';
import { createWorkerApp } from './ingress/worker-app';
import { createLogger, type Logger } from './logger';
import { callMetrics } from './observability/call-metrics';
import { finishesWithin } from './observability/deadline';
import { DependencyUnavailableError, DependencyWatch, MONGO_EVENTS, REDIS_EVENTS, registerDependencyMetrics } from './observability/dependencies';
import { closeServer } from './observability/lifecycle';
import { Metrics } from './observability/metrics';
import { registerQueueMetrics } from './observability/queue-metrics';
import { pcsmProfileToSite, pcsmTicketToRmm } from './pcsm/adapter';
import { isTicketEvent } from './pcsm/events';
import { connectRmms, rmmAdapter } from './rmm/registry';
import { rmmTicketSchema, type RmmKind } from './rmm/types';
import type { SetupDeps } from './setup/setup';
import { createStore, type Store } from './store';
import { migrate } from './store/migrations';
import { SecretBox } from './store/secret-box';
import { AutotaskTicketSync } from './sync/autotask-ticket-sync';
import { ConnectorHealth } from './sync/connector-health';
import { RecurrenceNotes } from './sync/recurrence-notes';
import { SiteSync } from './sync/site-sync';
import { pokeTicket, takeTicketEvent, type TicketIntakeDeps } from './sync/ticket-intake';
import { TicketNumbers } from './sync/ticket-numbers';
import type { RetryScope } from './sync/ticket-retries';
import { TicketSync } from './sync/ticket-sync';
import type { WritePolicy } from './sync/write-schedule';

export interface RuntimeOptions {
  api: boolean;
  worker: boolean;
  logger?: Logger;
  /** The consumption watchdog of a worker process (see workers/start-workers.ts). */
  watchdog?: WatchdogSettings;
}

export interface Runtime {
  config: Config;
  store: Store;
  producer: JobProducer;
  logger: Logger;
  connectors: ConnectorDirectory;
  server: Server | null;
  /** Base URL of the api when it runs (the port may have been chosen by the OS). */
  url: string | null;
  workers: RunningWorkers | null;
  /**
   * Stops taking work, lets running jobs and requests finish for up to `deadlineMs` (default 7 s),
   * abandons what is left (a cut job runs again elsewhere once its lock expires), then closes the
   * queues and connections; it never waits much longer than the deadline.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** How long a close lets running jobs and requests finish before it abandons them. */
const CLOSE_DEADLINE_MS = 7_000;
/** Queues and connections are closed within this, each, once the work has stopped. */
const CONNECTION_CLOSE_MS = 1_000;
/** How long a process trusts its copy of a connector when no change announcement reached it. */
const CONNECTOR_CACHE_MS = 60_000;
/** Autotask's concurrent-request limit per integration and endpoint (integrations created after 2023.1). */
const AUTOTASK_THREADS_PER_ENDPOINT = 3;
/** How far back a connector's first reconciliation looks. */
const FIRST_RECONCILE_LOOKBACK_MS = 24 * 3600 * 1000;
/** A ticket state unwritten this long has its job re-added if it lost it (the overdue sweep). */
const OVERDUE_AFTER_MS = 10 * 60_000;
const OVERDUE_SWEEP_MS = 5 * 60_000;
/** A refusal is tried again after the cool-down, then twice as long … up to 6 hours, unless something changes first. */
const MAX_REFUSAL_COOL_DOWN_MS = 6 * 3600_000;

/** The composition root: builds every part from the validated config and wires them together. */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'pcsm-autotask-sync' });
  const redis = redisOptions(config.redisUrl);

  const connection = await mongoose
    .createConnection(config.mongoUrl, { serverSelectionTimeoutMS: 10_000 })
    .asPromise()
    .catch((error: unknown) => {
      throw new DependencyUnavailableError('MongoDB', config.mongoUrl, error);
    });
  // Redis and MongoDB trouble is logged once per change of state, naming the variable to check.
  const mongoWatch = new DependencyWatch({ dependency: 'MongoDB', url: config.mongoUrl, logger });
  mongoWatch.watch('store', connection, MONGO_EVENTS, true);
  const redisWatch = new DependencyWatch({ dependency: 'Redis', url: config.redisUrl, logger });
  const registry = buildRegistry();
  const producer = new JobProducer({ redis, prefix: config.queuePrefix, registry });
  redisWatch.watch('producer', producer.redis, REDIS_EVENTS);
  const store = createStore({
    connection,
    secretsKey: config.secretsKey,
    redis: producer.redis,
    prefix: config.queuePrefix,
    burstResetMs: config.syncMinIntervalMs,
  });
  const migration = await migrate(connection, new SecretBox(config.secretsKey));
  for (const step of migration.steps) logger.info('migrated', { step });
  await store.ensureIndexes();

  const connectors = new ConnectorDirectory((id) => store.connectors.get(id), CONNECTOR_CACHE_MS);
  // Every process caches connectors; whoever changes one tells the others through Redis.
  const channel = `${config.queuePrefix}:connector-changed`;
  const subscriber = new Redis({ ...(redis as object), maxRetriesPerRequest: null });
  subscriber.on('error', () => undefined);
  redisWatch.watch('subscriber', subscriber, REDIS_EVENTS);
  const changeListeners: Array<(connectorId: string) => void> = [(id) => connectors.invalidate(id)];
  subscriber.on('message', (_channel: string, connectorId: string) => changeListeners.forEach((listener) => listener(connectorId)));
  // Not awaited: with Redis down at start the subscription waits for the connection.
  subscriber.subscribe(channel).catch((error: unknown) => logger.warn('could not subscribe to connector changes', { error }));
  // A reconnect may have missed announcements: forget every copy rather than trust one.
  subscriber.on('ready', () => connectors.invalidate());

  const policy: WritePolicy = { settleMs: config.syncSettleMs, maxWaitMs: config.syncMaxWaitMs, minIntervalMs: config.syncMinIntervalMs };
  const intake: TicketIntakeDeps = {
    desiredStates: store.desiredStates,
    record: (step) => producer.withRedis(step),
    policy,
    scheduleTicket: (connectorId, ticketId, timing) => producer.enqueue('ticket-sync', { connectorId, ticketId }, timing),
  };
  const requestRetry = (connectorId: string, scope: RetryScope) => producer.enqueue('retry-tickets', { connectorId, scope });
  store.connectors.onChange((connectorId, what) => {
    connectors.invalidate(connectorId);
    producer.redis.publish(channel, connectorId).catch((error: unknown) => logger.warn('could not announce a connector change', { connectorId, error }));
    // Work refused under the old configuration may pass under the new one.
    if (what === 'configuration') requestRetry(connectorId, 'refused').catch(() => undefined);
  });

  const metrics = new Metrics({ onCollectError: (metric, error) => logger.warn('a metric could not be read for this scrape', { metric, error }) });
  registerDependencyMetrics(metrics, [redisWatch, mongoWatch]);
  registerQueueMetrics(metrics, { queues: () => producer.allQueues(), ready: () => producer.redis.status === 'ready' });
  // Every call to either system is counted: Autotask's hourly budget is shared by the whole database.
  const calls = callMetrics(metrics);
  // Autotask's hourly budget per database, shared by every process of the install through Redis.
  const budget = new BudgetGovernor(producer.redis, {
    prefix: config.queuePrefix,
    recheckMs: config.autotaskBudgetRecheckSeconds * 1000,
    readingMaxAgeMs: config.autotaskBudgetReadingSeconds * 1000,
  });
  // The hour of every Autotask database this install's connectors use, read from Redis at each scrape.
  const budgetDatabases = async () => {
    const databases = new Set<string>();
    for (const id of await store.connectors.listIds()) {
      const connector = await connectors.get(id);
      if (connector) databases.add(autotaskDatabase(connector.autotask.username));
    }
    return Promise.all([...databases].map((database) => budget.standing(database)));
  };
  metrics.gauge('pcsm_sync_autotask_budget_used_ratio', 'How full the Autotask hour is per database (requests used / threshold), others\' calls included', ['database'], async (gauge) => {
    for (const standing of await budgetDatabases()) gauge.set({ database: standing.database }, standing.limit > 0 ? standing.used / standing.limit : 0);
  });
  metrics.gauge(
    'pcsm_sync_autotask_budget_requests',
    'Autotask requests this hour per database: used (the last ThresholdInformation reading plus our calls since), limit, and own (this install\'s calls)',
    ['database', 'kind'],
    async (gauge) => {
      for (const standing of await budgetDatabases()) {
        gauge.set({ database: standing.database, kind: 'used' }, standing.used);
        gauge.set({ database: standing.database, kind: 'limit' }, standing.limit);
        gauge.set({ database: standing.database, kind: 'own' }, standing.own);
      }
    },
  );
  const autotask = new AutotaskClient({
    zoneLookupUrl: config.autotaskZoneLookupUrl,
    timeoutMs: config.autotaskTimeoutMs,
    // Autotask's thread limit counts every replica of the install: the slots live in Redis.
    sharedSlots: new RedisEndpointSlots(producer.redis, {
      prefix: config.queuePrefix,
      limit: AUTOTASK_THREADS_PER_ENDPOINT,
      slotTtlMs: config.autotaskTimeoutMs + 10_000,
    }),
    onCall: (call) => {
      calls.autotask(call);
      if (call.database !== null) budget.recordCall(call.database);
    },
  });
  // One API client per RMM kind; each connector's session comes from its own kind's.
  const rmmSession = connectRmms({ redis: producer.redis, prefix: config.queuePrefix, timeoutMs: config.rmmTimeoutMs, onCall: calls.rmm });
  const setup: SetupDeps = {
    store,
    autotaskSession: (connector) => autotask.session(connector.id, connector.autotask),
    rmmSession,
  };
  /** Each connector's housekeeping: catalogue refresh, reconciliation and the overdue sweep, on their intervals. */
  const scheduleConnector = async (connectorId: string) => {
    await producer.scheduleEvery('catalogue-refresh', connectorId, config.catalogueRefreshIntervalSeconds * 1000, { connectorId });
    await producer.scheduleEvery('reconcile', connectorId, config.reconcileIntervalSeconds * 1000, { connectorId });
    await producer.scheduleEvery('retry-tickets', connectorId, OVERDUE_SWEEP_MS, { connectorId, scope: 'overdue' });
  };
  const queueControl = {
    pause: (connectorId: string) => producer.connectorQueue(connectorId).pause(),
    resume: (connectorId: string) => producer.connectorQueue(connectorId).resume(),
    promoteDelayed: async (connectorId: string) => {
      const queue = producer.connectorQueue(connectorId);
      let promoted = 0;
      for (const job of await queue.getJobs(['delayed'])) {
        await job.promote().then(() => (promoted += 1), () => undefined);
      }
      return promoted;
    },
  };
  const health = new ConnectorHealth({
    store,
    connectors,
    autotaskSession: setup.autotaskSession,
    rmmSession,
    queues: queueControl,
    scheduleCheck: async (connectorId, delayMs) => {
      await producer.enqueue('credentials-check', { connectorId }, { delayMs });
    },
  });

  let workers: RunningWorkers | null = null;
  let workerConnection: Redis | null = null;
  if (options.worker) {
    const requestTicketNumbers = async (connectorId: string) => {
      await producer.enqueue('ticket-numbers', { connectorId });
    };
    const takeRmmTicket = (connectorId: string, ticket: Parameters<typeof takeTicketEvent>[2]) => takeTicketEvent(intake, connectorId, ticket);
    const deps: JobDeps = {
      store,
      connectors,
      ticketSync: new TicketSync({
        store,
        connectors,
        autotaskSession: setup.autotaskSession,
        policy,
        scheduleTicketNumbers: requestTicketNumbers,
        refusalCoolDownMs: (count) => Math.min(MAX_REFUSAL_COOL_DOWN_MS, config.syncRefusalCoolDownMs * 2 ** Math.max(0, Math.min(count - 1, 10))),
        scheduleRecurrenceNote: async (connectorId, rmmTicketId) => {
          await producer.enqueue('recurrence-note', { connectorId, rmmTicketId });
        },
      }),
      ticketNumbers: new TicketNumbers({ store, connectors, autotaskSession: setup.autotaskSession, rmmSession }),
      scheduleTicketNumbers: requestTicketNumbers,
      ticketRetries: { ...intake, store, overdueAfterMs: OVERDUE_AFTER_MS, scheduleTicketNumbers: requestTicketNumbers },
      autotaskTicketSync: new AutotaskTicketSync({ store, connectors, autotaskSession: setup.autotaskSession, rmmSession }),
      siteSync: new SiteSync({ store, autotaskCompanies: (connector) => setup.autotaskSession(connector) }),
      recurrenceNotes: new RecurrenceNotes({ store, connectors, autotaskSession: setup.autotaskSession }),
      rmmSession,
      takeRmmTicket,
      health,
      setup,
      reconcile: {
        store,
        autotaskSession: setup.autotaskSession,
        rmmSession,
        enqueueAutotaskChange: (connectorId, autotaskTicketId, deliveryId) =>
          producer.enqueue('autotask-ticket-changed', { connectorId, autotaskTicketId, source: 'reconciliation', deliveryId }),
        takeRmmTicket,
        retryRefusalsDue: (connectorId) => requestRetry(connectorId, 'refusals-due'),
        firstRunLookbackMs: FIRST_RECONCILE_LOOKBACK_MS,
      },
      autotaskBudget: async (connectorId, rank) => {
        const connector = await connectors.get(connectorId);
        if (!connector) return { admitted: true };
        // Low-ranked work first reads how full the hour really is (the others' calls count too).
        const read = rank >= RANK_THAT_READS_THE_BUDGET ? () => setup.autotaskSession(connector).getThresholdInformation() : undefined;
        return budget.admit(autotaskDatabase(connector.autotask.username), BUDGET_SHARE[rank], read);
      },
    };
    workerConnection = new Redis({ ...(redis as object), maxRetriesPerRequest: null });
    workerConnection.on('error', () => undefined);
    redisWatch.watch('workers', workerConnection, REDIS_EVENTS);
    workers = await startWorkers({
      connection: workerConnection,
      producer,
      concurrency: config.workerConcurrency,
      registry,
      deps,
      logger,
      metrics,
      connectorIds: () => store.connectors.listIds(),
      watchdog: options.watchdog,
    });
    const running = workers;
    changeListeners.push((id) => running.ensureConnector(id));
  }

  // States an older version left unapplied in MongoDB go through the intake like any event.
  for (const carried of migration.carried) {
    const connector = await connectors.get(carried.connectorId);
    if (!connector) continue;
    const parsed = rmmTicketSchema.safeParse(carried.ticket);
    const ticket = parsed.success ? parsed.data : rmmAdapter(connector.rmm.kind).readEarlierState?.(carried.ticket);
    if (ticket) await takeTicketEvent(intake, carried.connectorId, ticket).catch((error: unknown) => logger.warn('could not carry a ticket state over', { error }));
  }

  let server: Server | null = null;
  let url: string | null = null;
  if (options.api) {
    // Every connector keeps its housekeeping schedule; upserting is idempotent across replicas.
    for (const connectorId of await store.connectors.listIds()) {
      producer.connectorQueue(connectorId);
      await scheduleConnector(connectorId).catch((error: unknown) => logger.warn('could not schedule the connector housekeeping', { connectorId, error }));
    }
    changeListeners.push((id) => producer.connectorQueue(id));
    const app = createApp({
      adminToken: config.adminToken,
      store,
      logger,
      metrics,
      queues: () => producer.allQueues(),
      onQueueCreated: (listener) => producer.onQueueCreated(listener),
      takePcsmEvent: async (connectorId, event) => {
        if (isTicketEvent(event)) return takeTicketEvent(intake, connectorId, pcsmTicketToRmm(event.data));
        const siteEvent = { id: event.id, type: event.type, occurredAt: event.occurredAt, data: pcsmProfileToSite(event.data) };
        return { jobId: await producer.enqueue('rmm-site-event', { connectorId, event: siteEvent }), newest: true };
      },
      takeRmmHint: (connectorId, hint) => producer.enqueue('rmm-ticket-changed', { connectorId, source: 'webhook', ...hint }),
      isQueueUnavailable: (error) => error instanceof QueueUnavailableError,
      setup,
      enqueueCatalogueRefresh: (connectorId) => producer.enqueue('catalogue-refresh', { connectorId }),
      enqueueReconcile: (connectorId) => producer.enqueue('reconcile', { connectorId }),
      retryTicket: (connectorId, ticketId) => pokeTicket(intake, connectorId, ticketId, { force: true }),
      connectorBudget: async (connectorId) => {
        const connector = await connectors.get(connectorId);
        if (!connector) return null;
        const standing = await budget.standing(autotaskDatabase(connector.autotask.username));
        return {
          used: standing.used,
          limit: standing.limit,
          readAt: standing.readAt === null ? null : new Date(standing.readAt).toISOString(),
          holding: (Object.keys(BUDGET_SHARE).map(Number) as Rank[])
            .filter((rank) => standing.used >= Math.floor(standing.limit * BUDGET_SHARE[rank]))
            .map((rank) => RANK_NAMES[rank]),
        };
      },
      retryAllTickets: (connectorId) => requestRetry(connectorId, 'all'),
      connectorSaved: async (connectorId) => {
        producer.connectorQueue(connectorId);
        await scheduleConnector(connectorId).catch((error: unknown) => {
          // The next save or api start schedules it; the connector itself is saved either way.
          logger.warn('could not schedule the connector housekeeping', { connectorId, error });
        });
        // New credentials may be the fix a suspended connector waits for: check them now.
        if ((await connectors.get(connectorId))?.suspension) await health.check(connectorId).catch(() => producer.enqueue('credentials-check', { connectorId }, { delayMs: 0 }));
      },
      readiness: async () => ({
        redis: producer.redis.status === 'ready' && (await producer.redis.ping().then(() => true, () => false)),
        mongo: await connection.db!.admin().ping().then(() => true, () => false),
      }),
      rmmWebhookSecret: async (connectorId: string, kind: RmmKind) => {
        // A connector of another RMM answers as if unknown: its secret is never tried against this route.
        const connector = await connectors.get(connectorId);
        return connector?.rmm.kind === kind ? connector.rmm.webhookSecret : null;
      },
      autotaskWebhookSecret: async (connectorId) => (await connectors.get(connectorId))?.autotask.webhookSecret ?? null,
      calloutCredentials: async (connectorId) => (await connectors.get(connectorId))?.callout ?? null,
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
      health: () => running.health(),
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
    connectors,
    server,
    url,
    workers,
    async close({ deadlineMs = CLOSE_DEADLINE_MS } = {}) {
      await Promise.all([server && closeServer(server, deadlineMs), workers?.close(deadlineMs)]);
      redisWatch.stop();
      mongoWatch.stop();
      subscriber.disconnect();
      await finishesWithin(producer.close(), CONNECTION_CLOSE_MS);
      workerConnection?.disconnect();
      await finishesWithin(connection.close(), CONNECTION_CLOSE_MS);
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

/**
 * The bad week on loopback: the connector's api and workers as real processes, a Redis that can be
 * killed and restarted (AOF, appendfsync always), the Autotask simulator with its faults, and PCSM
 * events sent as PCSM sends them (retried until answered 2xx). Fault tests and `npm run
 * bench:faults` share it; `verdict` says how many tickets were lost, duplicated or wrong.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { signPcsmPayload } from '../src/ingress/pcsm-signature';
import { pcsmAdapter, pcsmTicketToRmm } from '../src/pcsm/adapter';
import { mapTicketToAutotask } from '../src/mapping/ticket-to-autotask';
import type { PcsmTicket } from '../src/pcsm/events';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../src/simulators/autotask';
import { startPcsmSimulator, type PcsmSimulator } from '../src/simulators/pcsm';
import { SEEDED_MAPPINGS } from '../src/simulators/seed-mappings';
import { spawnConnectorProcess, type ConnectorProcess } from './processes';
import { startRedisServer, type DisposableRedis } from './redis-server';

export const FAULT_CONNECTOR = 'c1';
const PCSM_SECRET = 'fault-scenario-pcsm-webhook-secret';

export interface FaultStackOptions {
  /** A MongoDB URL naming the database this run may use (and drops on stop). */
  mongoUrl: string;
  workers: number;
  /** Extra or overriding environment for every connector process. */
  env?: Record<string, string>;
  /** Where process logs go (default: temp files). */
  logDir?: string;
}

export interface TicketEvent {
  id: string;
  type: 'ticket.created' | 'ticket.updated';
  occurredAt: string;
  data: PcsmTicket;
}

export interface FaultStack {
  sim: AutotaskSimulator;
  pcsm: PcsmSimulator;
  redis: DisposableRedis;
  api: ConnectorProcess;
  apiUrl: string;
  adminToken: string;
  workers: ConnectorProcess[];
  /** Starts one more worker process (e.g. after one was killed). */
  spawnWorker(): Promise<ConnectorProcess>;
  /** Sends one event as PCSM would: retried (growing waits) until answered 2xx; returns how many tries it took. */
  send(event: TicketEvent): Promise<number>;
  /** Sends every event with `concurrency` senders, each pausing `gapMs` between events; resolves once all were answered 2xx. */
  sendAll(events: TicketEvent[], concurrency?: number, gapMs?: number): Promise<{ tries: number; retried: number }>;
  /** The ticket as the connector's API shows it. */
  link(ticketId: string): Promise<{ state: string; appliedUpdatedAt: string | null; autotaskTicketId: number | null } | null>;
  /** Resolves with the verdict once every expected ticket shows its final state, or when time runs out. */
  waitConverged(finals: Map<string, PcsmTicket>, timeoutMs: number): Promise<Verdict>;
  stop(): Promise<void>;
}

export interface Verdict {
  tickets: number;
  /** Expected tickets Autotask does not have. */
  lost: string[];
  /** Tickets Autotask has more than once. */
  duplicated: string[];
  /** Tickets whose Autotask fields are not what the final RMM state maps to. */
  wrong: string[];
  /** How long it took to converge (ms), or null if it did not. */
  convergedAfterMs: number | null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
  const pcsm = await startPcsmSimulator({ port: 0 });
  const redis = await startRedisServer({ appendfsync: 'always' });
  const adminToken = `fault-admin-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    MONGO_URL: options.mongoUrl,
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    AUTOTASK_TIMEOUT_MS: '2000',
    QUEUE_PREFIX: `fault-${randomBytes(4).toString('hex')}`,
    WORKER_CONCURRENCY: '5',
    SYNC_SETTLE_MS: '300',
    SYNC_MAX_WAIT_MS: '5000',
    SYNC_MIN_INTERVAL_MS: '1000',
    // `started` is logged at info: the harness waits for it.
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const logFile = (name: string) => (options.logDir ? { logFile: `${options.logDir}/${name}.log` } : {});
  let workerCount = 0;
  const workers: ConnectorProcess[] = [];
  const spawnWorker = async () => {
    workerCount += 1;
    const worker = await spawnConnectorProcess('worker', env, logFile(`worker-${workerCount}`));
    workers.push(worker);
    return worker;
  };
  const api = await spawnConnectorProcess('api', env, logFile('api'));
  const apiUrl = `http://127.0.0.1:${port}`;
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const saved = await fetch(`${apiUrl}/api/v1/connectors/${FAULT_CONNECTOR}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({
      name: 'Fault MSP',
      pcsm: { accountId: pcsm.account.id, apiUrl: pcsm.url, apiKey: pcsm.apiKey, webhookSecret: PCSM_SECRET },
      autotask: { ...DEFAULT_CREDENTIALS },
      mappings: SEEDED_MAPPINGS,
    }),
  });
  if (!saved.ok) throw new Error(`could not save the connector: ${saved.status} ${await saved.text()}`);
  for (let i = 0; i < options.workers; i += 1) await spawnWorker();

  const send = async (event: TicketEvent): Promise<number> => {
    const raw = JSON.stringify(event);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await fetch(`${apiUrl}/webhooks/pcsm/${FAULT_CONNECTOR}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-pcsm-signature': signPcsmPayload(PCSM_SECRET, raw, Math.floor(Date.now() / 1000)) },
          body: raw,
        });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) return attempt;
        if (response.status < 500) throw new Error(`the connector refused event ${event.id}: HTTP ${response.status}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('the connector refused')) throw error;
      }
      // A sender keeps an unanswered event and tries again: that is what a 503 asks for.
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * attempt)));
    }
  };

  const link = async (ticketId: string) => {
    const response = await fetch(`${apiUrl}/api/v1/connectors/${FAULT_CONNECTOR}/tickets/${encodeURIComponent(ticketId)}`, { headers: admin });
    return response.ok ? ((await response.json()) as { state: string; appliedUpdatedAt: string | null; autotaskTicketId: number | null }) : null;
  };

  return {
    sim,
    pcsm,
    redis,
    api,
    apiUrl,
    adminToken,
    workers,
    spawnWorker,
    send,
    async sendAll(events, concurrency = 16, gapMs = 0) {
      let next = 0;
      let tries = 0;
      let retried = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < events.length) {
            const event = events[next++]!;
            const took = await send(event);
            tries += took;
            if (took > 1) retried += 1;
            if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
          }
        }),
      );
      return { tries, retried };
    },
    link,
    async waitConverged(finals, timeoutMs) {
      const started = Date.now();
      for (;;) {
        const current = verdict(sim, finals);
        const caughtUp = current.lost.length === 0 && current.wrong.length === 0;
        if (caughtUp) {
          // Autotask shows it; the connector must also know it is done.
          const links = await Promise.all([...finals.keys()].map((id) => link(id).catch(() => null)));
          if (links.every((l, i) => l?.state === 'synced' && l.appliedUpdatedAt === new Date([...finals.values()][i]!.updatedAt).toISOString())) {
            return { ...current, convergedAfterMs: Date.now() - started };
          }
        }
        if (Date.now() - started > timeoutMs) return current;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async stop() {
      await Promise.all([api, ...workers].map((child) => child.kill('SIGKILL').catch(() => undefined)));
      await redis.stop();
      await sim.close();
      await pcsm.close();
    },
  };
}

/** What Autotask holds against what the final RMM states should have made of it. */
export function verdict(sim: AutotaskSimulator, finals: Map<string, PcsmTicket>): Verdict {
  const byExternalId = new Map<string, Array<Record<string, unknown>>>();
  for (const ticket of sim.tickets()) {
    const key = String(ticket.externalID ?? '');
    byExternalId.set(key, [...(byExternalId.get(key) ?? []), ticket]);
  }
  const lost: string[] = [];
  const duplicated: string[] = [];
  const wrong: string[] = [];
  for (const [ticketId, final] of finals) {
    const mapped = mapTicketToAutotask(FAULT_CONNECTOR, pcsmTicketToRmm(final), SEEDED_MAPPINGS, pcsmAdapter);
    if (!mapped.ok) throw new Error(`the scenario's ticket ${ticketId} does not map: ${mapped.problems.join('; ')}`);
    const found = byExternalId.get(mapped.fields.externalID!) ?? [];
    if (found.length === 0) lost.push(ticketId);
    if (found.length > 1) duplicated.push(ticketId);
    const [ticket] = found;
    if (ticket) {
      const fields = ['companyID', 'title', 'status', 'priority'] as const;
      if (fields.some((field) => ticket[field] !== mapped.fields[field])) wrong.push(ticketId);
    }
  }
  return { tickets: finals.size, lost, duplicated, wrong, convergedAfterMs: null };
}

export interface TicketStream {
  /** In sending order: roughly the order the changes happened, with neighbours swapped now and then. */
  events: TicketEvent[];
  /** Each ticket's newest state: what Autotask must show in the end. */
  finals: Map<string, PcsmTicket>;
}

const STATUSES = ['New', 'In Progress', 'Waiting', 'Resolved'];

/** `events` changes spread over `tickets` tickets (each starts with its creation), deterministic for a seed. */
export function ticketStream(options: { tickets: number; events: number; prefix: string; seed?: number }): TicketStream {
  let seed = options.seed ?? 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const base = Date.UTC(2026, 10, 27, 12, 0, 0);
  const versions = new Map<string, number>();
  const finals = new Map<string, PcsmTicket>();
  const events: TicketEvent[] = [];
  for (let i = 0; i < options.events; i += 1) {
    const index = i < options.tickets ? i : Math.floor(random() * options.tickets);
    const ticketId = `${options.prefix}-${index}`;
    const version = (versions.get(ticketId) ?? -1) + 1;
    versions.set(ticketId, version);
    const updatedAt = new Date(base + i * 1000).toISOString();
    const data: PcsmTicket = {
      id: ticketId,
      profileId: index % 2 === 0 ? 'P-1' : 'P-2',
      title: `${ticketId}: disk at ${80 + (version % 20)}% (change ${version})`,
      description: 'fault scenario',
      status: STATUSES[Math.floor(random() * STATUSES.length)]!,
      severity: 1 + Math.floor(random() * 5),
      deviceId: `D-${index}`,
      deviceName: `SRV${index}`,
      updatedAt,
    };
    finals.set(ticketId, data);
    events.push({ id: `evt_${options.prefix}_${i}`, type: version === 0 ? 'ticket.created' : 'ticket.updated', occurredAt: updatedAt, data });
  }
  // Deliveries arrive out of order now and then.
  for (let i = 1; i < events.length; i += 1) {
    if (random() < 0.1) [events[i - 1], events[i]] = [events[i]!, events[i - 1]!];
  }
  return { events, finals };
}

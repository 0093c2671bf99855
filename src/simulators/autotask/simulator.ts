import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorContext, SimulatorCredential } from './context';
import type { AutotaskSimulatorControls, AutotaskSimulatorFaults, ChangeOptions } from './controls';
import { FaultPlan } from './faults';
import { HourlyThreshold, ThreadCounter } from './limits';
import { autotaskTimestamp, COMPANIES, RESOURCES, TICKET_NOTES, TICKET_WEBHOOKS, TICKETS, WEBHOOK_EVENT_ERROR_LOGS } from './model';
import { API_USER_NAME, API_USER_RESOURCE_ID, TECHNICIAN_RESOURCE_ID, type EntityRecord } from './seed';
import { createApp } from './server';
import { SimulatorState, type RequestLogEntry } from './state';
import { writeAndTrigger } from './triggers';
import { WebhookDispatcher, type WebhookDelivery } from './webhook-delivery';

export interface AutotaskSimulatorOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  credentials?: SimulatorCredential[];
  /** Requests per rolling hour (default 10,000). */
  threshold?: number;
  /** Latency added once 50 % of the threshold is used (default 500 ms). */
  latencyAtHalfMs?: number;
  /** Latency added once 75 % of the threshold is used (default 1,000 ms). */
  latencyAtThreeQuartersMs?: number;
  /** Wait before a failed webhook delivery is tried again (Autotask: 30 s; default 30,000 ms). */
  webhookRetryDelayMs?: number;
  /** How long a webhook receiver may take to answer (Autotask: 10 s; default 10,000 ms). */
  webhookTimeoutMs?: number;
}

export const DEFAULT_CREDENTIALS: SimulatorCredential = {
  username: API_USER_NAME,
  secret: 'sim-secret',
  integrationCode: 'SIMINTEGRATIONCODE0000000001',
};

const DEFAULT_THRESHOLD = 10_000;

const SEEDED_TICKET: EntityRecord = { companyID: 174, status: 1, priority: 2 };

export class AutotaskSimulator implements AutotaskSimulatorControls {
  readonly url: string;
  readonly zoneLookupUrl: string;
  readonly zoneUrl: string;
  readonly credentials: readonly SimulatorCredential[];
  readonly faults: AutotaskSimulatorFaults;
  private readonly context: SimulatorContext;
  private readonly defaultThreshold: number;
  private server: Server | null = null;

  private constructor(context: SimulatorContext, defaultThreshold: number, url: string) {
    this.context = context;
    this.defaultThreshold = defaultThreshold;
    this.credentials = context.credentials;
    this.url = url;
    this.zoneLookupUrl = `${url}/atservicesrest/v1.0/zoneInformation`;
    this.zoneUrl = `${url}/ATServicesRest/`;
    this.faults = this.faultControls();
  }

  static async start(options: AutotaskSimulatorOptions = {}): Promise<AutotaskSimulator> {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const state = new SimulatorState();
    const faults = new FaultPlan();
    const context: SimulatorContext = {
      state,
      faults,
      webhooks: new WebhookDispatcher(state, faults, {
        retryDelayMs: options.webhookRetryDelayMs ?? 30_000,
        timeoutMs: options.webhookTimeoutMs ?? 10_000,
      }),
      threshold: new HourlyThreshold({
        limit: threshold,
        latencyAtHalfMs: options.latencyAtHalfMs ?? 500,
        latencyAtThreeQuartersMs: options.latencyAtThreeQuartersMs ?? 1000,
      }),
      threads: new ThreadCounter(),
      credentials: (options.credentials ?? [DEFAULT_CREDENTIALS]).map((credential) => ({ ...credential })),
      zone: { zoneName: 'Simulator (America East)', ci: 1234567 },
    };
    const host = options.host ?? '127.0.0.1';
    let simulator: AutotaskSimulator | null = null;
    const app = createApp(context, {
      get faults() { return simulator!.faults; },
      get requests() { return simulator!.requests; },
      tickets: () => simulator!.tickets(),
      companies: () => simulator!.companies(),
      ticketNotes: () => simulator!.ticketNotes(),
      addTickets: (tickets, opts) => simulator!.addTickets(tickets, opts),
      changeTicket: (id, fields, opts) => simulator!.changeTicket(id, fields, opts),
      webhookDeliveries: () => simulator!.webhookDeliveries(),
      webhooksIdle: () => simulator!.webhooksIdle(),
      reset: () => simulator!.reset(),
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    simulator = new AutotaskSimulator(context, threshold, `http://${urlHost}:${port}`);
    simulator.server = server;
    return simulator;
  }

  /** Every request seen since start/reset, in arrival order. */
  get requests(): readonly RequestLogEntry[] {
    return this.context.state.requests;
  }

  /** Writes received (POST/PATCH/PUT on an entity collection), answered or not. */
  writeCount(entity?: string): number {
    return this.requests.filter((entry) => entry.write && (entity === undefined || entry.entity?.toLowerCase() === entity.toLowerCase())).length;
  }

  /** Highest number of concurrent requests seen on one (integration code + endpoint), optionally for one endpoint. */
  peakConcurrency(entity?: string): number {
    return this.context.threads.peak(entity);
  }

  tickets(): EntityRecord[] {
    return this.context.state.list(this.context.state.entityNamed('Tickets')).map((record) => structuredClone(record));
  }

  companies(): EntityRecord[] {
    return this.context.state.list(COMPANIES).map((record) => structuredClone(record));
  }

  ticketNotes(): EntityRecord[] {
    return this.context.state.list(TICKET_NOTES).map((record) => structuredClone(record));
  }

  billingCodes(): EntityRecord[] {
    return this.context.state.list(this.context.state.entityNamed('BillingCodes')).map((record) => structuredClone(record));
  }

  resources(): EntityRecord[] {
    return this.context.state.list(RESOURCES).map((record) => structuredClone(record));
  }

  ticketWebhooks(): EntityRecord[] {
    return this.context.state.list(TICKET_WEBHOOKS).map((record) => structuredClone(record));
  }

  webhookErrorLogs(): EntityRecord[] {
    return this.context.state.list(WEBHOOK_EVENT_ERROR_LOGS).map((record) => structuredClone(record));
  }

  /**
   * Creates tickets as if someone had entered them in Autotask (validated, not counted as API
   * requests); `by` is the acting resource (default the technician), so webhooks fire.
   */
  addTickets(tickets: EntityRecord[], options: ChangeOptions = {}): number[] {
    return tickets.map((fields, index) =>
      writeAndTrigger(this.context, TICKETS, { ...SEEDED_TICKET, title: `Seeded ticket ${index + 1}`, ...fields }, 'create', {
        now: options.at ?? new Date(),
        impersonationResourceId: null,
        actingResourceId: options.by ?? TECHNICIAN_RESOURCE_ID,
      }),
    );
  }

  /** Changes a ticket as an Autotask user would (e.g. a technician completing it); webhooks fire. */
  changeTicket(id: number, fields: EntityRecord, options: ChangeOptions = {}): void {
    writeAndTrigger(this.context, TICKETS, { ...fields, id }, 'patch', {
      now: options.at ?? new Date(),
      impersonationResourceId: null,
      actingResourceId: options.by ?? TECHNICIAN_RESOURCE_ID,
    });
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.context.webhooks.deliveries();
  }

  webhooksIdle(): Promise<void> {
    return this.context.webhooks.idle();
  }

  /** Back to the seed: data, request log, faults, threshold, peaks and webhook deliveries (pending ones are abandoned). */
  reset(): void {
    this.context.webhooks.reset();
    this.context.state.reset();
    this.context.faults.clear();
    this.context.threshold.reset(this.defaultThreshold);
    this.context.threads.resetPeaks();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.context.webhooks.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private faultControls(): AutotaskSimulatorFaults {
    const { state, faults, threshold } = this.context;
    return {
      failNextWrites: (count, failure) => faults.failNextWrites(count, failure),
      commitThenTimeout: (count, { mode }) => faults.commitThenTimeout(count, mode),
      failAllFor: (durationMs, failure) => faults.failAllFor(durationMs, failure),
      get latencyMs() { return faults.latencyMs; },
      set latencyMs(ms: number) { faults.latencyMs = ms; },
      setThreshold: (limit, used = 0) => threshold.set(limit, used),
      setPicklistValueActive: (field, value, isActive) => state.setPicklistValueActive(state.entityNamed('Tickets'), field, value, isActive),
      setCompanyActive: (id, isActive) => this.setActive('Companies', id, isActive),
      setBillingCodeActive: (id, isActive) => this.setActive('BillingCodes', id, isActive),
      addCompany: (fields) => {
        const id = fields.id ?? state.allocateId(COMPANIES);
        state.put(COMPANIES, {
          companyType: 1, ownerResourceID: API_USER_RESOURCE_ID, phone: '+1 555 0100', isActive: true,
          createDate: autotaskTimestamp(new Date()), ...fields, id,
        });
        return id;
      },
      dropNextWebhookDeliveries: (count) => faults.dropNextWebhookDeliveries(count),
      clear: () => faults.clear(),
    };
  }

  private setActive(entityName: string, id: number, isActive: boolean): void {
    const record = this.context.state.get(this.context.state.entityNamed(entityName), id);
    if (!record) throw new Error(`${entityName} has no record ${id}`);
    record.isActive = isActive;
  }
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorContext } from './context';
import type { ChangeOptions, PcsmSimulatorControls, PcsmSimulatorFaults } from './controls';
import { FaultPlan } from './faults';
import type { ProfileChanges, ProfileDraft, SimProfile, SimTicket, TicketChanges, TicketDraft } from './model';
import { defaultSeed, DEFAULT_GENERATED_PROFILES } from './seed';
import { createApp } from './server';
import { PcsmState, type RequestLogEntry } from './state';
import { WebhookDispatcher, type WebhookDelivery, type WebhookEventRecord, type WebhookTarget } from './webhooks';

export interface PcsmSimulatorOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** The one key the API accepts (default `pcsm-sim-key`). */
  apiKey?: string;
  account?: { id: string; name: string };
  webhook?: WebhookTarget;
  /** Send `ticket.updated` for changes the connector makes through PATCH (default true, as PCSM does). */
  emitOnApiChanges?: boolean;
  /** Filler profiles after P-1…P-3 (default 150: two pages). */
  generatedProfiles?: number;
  /** Waits between webhook attempts; length + 1 attempts in all (default [100, 200, 400]). */
  webhookRetryDelaysMs?: number[];
  /** How long one webhook attempt may take (default 5,000 ms). */
  webhookTimeoutMs?: number;
}

export const DEFAULT_API_KEY = 'pcsm-sim-key';
export const DEFAULT_ACCOUNT = Object.freeze({ id: 'acc-1', name: 'Contoso MSP' });

export class PcsmSimulator implements PcsmSimulatorControls {
  readonly url: string;
  readonly apiKey: string;
  readonly account: { id: string; name: string };
  readonly faults: PcsmSimulatorFaults;
  emitOnApiChanges: boolean;
  private readonly context: SimulatorContext;
  private server: Server | null = null;

  private constructor(context: SimulatorContext, url: string, emitOnApiChanges: boolean) {
    this.context = context;
    this.url = url;
    this.apiKey = context.apiKey;
    this.account = context.account;
    this.emitOnApiChanges = emitOnApiChanges;
    this.faults = this.faultControls();
  }

  static async start(options: PcsmSimulatorOptions = {}): Promise<PcsmSimulator> {
    const generated = options.generatedProfiles ?? DEFAULT_GENERATED_PROFILES;
    const faults = new FaultPlan();
    const webhooks = new WebhookDispatcher(faults, {
      retryDelaysMs: options.webhookRetryDelaysMs ?? [100, 200, 400],
      timeoutMs: options.webhookTimeoutMs ?? 5_000,
    });
    webhooks.target = options.webhook ? { ...options.webhook } : null;
    let simulator: PcsmSimulator | null = null;
    const context: SimulatorContext = {
      state: new PcsmState(() => defaultSeed(generated)),
      faults,
      webhooks,
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      account: { ...(options.account ?? DEFAULT_ACCOUNT) },
      apiChanged: (type, record) => {
        if (simulator?.emitOnApiChanges) webhooks.emit(type, record);
      },
    };
    const host = options.host ?? '127.0.0.1';
    const app = createApp(context, {
      get faults() { return simulator!.faults; },
      get requests() { return simulator!.requests; },
      get emitOnApiChanges() { return simulator!.emitOnApiChanges; },
      set emitOnApiChanges(value: boolean) { simulator!.emitOnApiChanges = value; },
      get webhook() { return simulator!.webhook; },
      setWebhook: (target) => simulator!.setWebhook(target),
      tickets: () => simulator!.tickets(),
      profiles: () => simulator!.profiles(),
      createTicket: (draft, opts) => simulator!.createTicket(draft, opts),
      updateTicket: (id, changes, opts) => simulator!.updateTicket(id, changes, opts),
      createProfile: (draft, opts) => simulator!.createProfile(draft, opts),
      updateProfile: (id, changes, opts) => simulator!.updateProfile(id, changes, opts),
      webhookDeliveries: () => simulator!.webhookDeliveries(),
      webhookEvents: () => simulator!.webhookEvents(),
      webhooksIdle: () => simulator!.webhooksIdle(),
      reset: () => simulator!.reset(),
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    simulator = new PcsmSimulator(context, `http://${urlHost}:${port}`, options.emitOnApiChanges ?? true);
    simulator.server = server;
    return simulator;
  }

  /** Every API request seen since start/reset, in arrival order. */
  get requests(): readonly RequestLogEntry[] {
    return this.context.state.requests;
  }

  get webhook(): WebhookTarget | null {
    const target = this.context.webhooks.target;
    return target ? { ...target } : null;
  }

  /** Where events go from now on (queued ones included); null stops sending. */
  setWebhook(target: WebhookTarget | null): void {
    this.context.webhooks.target = target ? { ...target } : null;
  }

  tickets(): SimTicket[] {
    return this.context.state.listTickets().map((ticket) => structuredClone(ticket));
  }

  profiles(): SimProfile[] {
    return this.context.state.listProfiles().map((profile) => ({ ...profile }));
  }

  /** A ticket raised in PCSM (a monitor firing, a user): stored, then `ticket.created` is sent. */
  createTicket(draft: TicketDraft = {}, options: ChangeOptions = {}): SimTicket {
    const ticket = this.context.state.createTicket(draft, options.at);
    this.context.webhooks.emit('ticket.created', ticket);
    return ticket;
  }

  /** A PCSM user changing a ticket: `ticket.updated` is sent when a field actually changed. */
  updateTicket(id: string, changes: TicketChanges, options: ChangeOptions = {}): SimTicket {
    const { record, changed } = this.context.state.changeTicket(id, changes, options.at);
    if (changed) this.context.webhooks.emit('ticket.updated', record);
    return record;
  }

  createProfile(draft: ProfileDraft = {}, options: ChangeOptions = {}): SimProfile {
    const profile = this.context.state.createProfile(draft, options.at);
    this.context.webhooks.emit('profile.created', profile);
    return profile;
  }

  updateProfile(id: string, changes: ProfileChanges, options: ChangeOptions = {}): SimProfile {
    const { record, changed } = this.context.state.changeProfile(id, changes, options.at);
    if (changed) this.context.webhooks.emit('profile.updated', record);
    return record;
  }

  /** Removes a profile (PCSM's API has no delete; this stands for a customer removed in PCSM). */
  removeProfile(id: string): void {
    this.context.state.removeProfile(id);
  }

  /** Every delivery attempt: event id, attempt number, receiver status (null when none arrived), time. */
  webhookDeliveries(): WebhookDelivery[] {
    return this.context.webhooks.deliveries();
  }

  /** Every event the simulator emitted, in order, with what became of it. */
  webhookEvents(): WebhookEventRecord[] {
    return this.context.webhooks.events();
  }

  /** Resolves once every queued webhook is delivered or given up. */
  webhooksIdle(): Promise<void> {
    return this.context.webhooks.idle();
  }

  /** Back to the seed: data, request log, faults, queued webhooks and both webhook logs. The webhook target stays. */
  reset(): void {
    this.context.state.reset();
    this.context.faults.clear();
    this.context.webhooks.reset();
  }

  async close(): Promise<void> {
    this.context.webhooks.close();
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private faultControls(): PcsmSimulatorFaults {
    const { faults } = this.context;
    return {
      failNextRequests: (count, failure) => faults.failNextRequests(count, failure),
      get latencyMs() { return faults.latencyMs; },
      set latencyMs(ms: number) { faults.latencyMs = ms; },
      dropNextWebhooks: (count) => faults.dropNextWebhooks(count),
      failNextWebhookDeliveries: (count) => faults.failNextWebhookDeliveries(count),
      clear: () => faults.clear(),
    };
  }
}

/** The account's data and what the simulator has seen, all in memory. */
import { isDeepStrictEqual } from 'node:util';
import {
  parseInput,
  profileChangesSchema,
  profileDraftSchema,
  SimulatorInputError,
  ticketChangesSchema,
  ticketDraftSchema,
  TICKET_STATUSES,
  type ProfileChanges,
  type ProfileDraft,
  type SimProfile,
  type SimTicket,
  type TicketChanges,
  type TicketDraft,
} from './model';
import { FIRST_PROFILE_NUMBER, FIRST_TICKET_NUMBER, type SeedData } from './seed';

export interface RequestLogEntry {
  at: string;
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, string>;
  /** null while no answer was written. */
  status: number | null;
}

export interface Change<T> {
  record: T;
  /** false when every field already had the asked value (nothing stored, updatedAt kept). */
  changed: boolean;
}

export class PcsmState {
  readonly requests: RequestLogEntry[] = [];
  readonly statuses: readonly string[] = TICKET_STATUSES;
  private tickets = new Map<string, SimTicket>();
  private profiles = new Map<string, SimProfile>();
  private nextTicketNumber = FIRST_TICKET_NUMBER;
  private nextProfileNumber = FIRST_PROFILE_NUMBER;
  private lastStampMs = 0;

  constructor(private readonly seed: () => SeedData) {
    this.reset();
  }

  reset(): void {
    const data = this.seed();
    this.requests.length = 0;
    this.tickets = new Map();
    this.profiles = new Map(data.profiles.map((profile) => [profile.id, { ...profile }]));
    this.nextTicketNumber = FIRST_TICKET_NUMBER;
    this.nextProfileNumber = FIRST_PROFILE_NUMBER;
    this.lastStampMs = Math.max(0, ...data.profiles.map((profile) => Date.parse(profile.updatedAt)));
  }

  ticket(id: string): SimTicket | undefined {
    return this.tickets.get(id);
  }

  /** Sorted by updatedAt, then id: the order of `GET /tickets?updatedSince`. */
  listTickets(): SimTicket[] {
    return [...this.tickets.values()].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
  }

  profile(id: string): SimProfile | undefined {
    return this.profiles.get(id);
  }

  /** In insertion order: the order of `GET /profiles`. */
  listProfiles(): SimProfile[] {
    return [...this.profiles.values()];
  }

  createTicket(input: TicketDraft, at?: Date): SimTicket {
    const draft = parseInput(ticketDraftSchema, input, 'ticket');
    const id = draft.id ?? this.allocate('T', () => this.nextTicketNumber++, this.tickets);
    if (this.tickets.has(id)) throw new SimulatorInputError(`ticket ${id} already exists`);
    const ticket: SimTicket = {
      id,
      profileId: draft.profileId ?? 'P-1',
      title: draft.title ?? 'Monitoring alert',
      description: draft.description ?? '',
      status: draft.status ?? 'New',
      severity: draft.severity ?? 3,
      deviceId: draft.deviceId ?? null,
      deviceName: draft.deviceName ?? null,
      updatedAt: this.stamp(at),
      autotask: draft.autotask ?? null,
    };
    this.check(ticket);
    this.tickets.set(id, ticket);
    return { ...ticket };
  }

  changeTicket(id: string, input: TicketChanges, at?: Date): Change<SimTicket> {
    const current = this.tickets.get(id);
    if (!current) throw new SimulatorInputError(`ticket ${id} not found`, 404);
    const changes = parseInput(ticketChangesSchema, input, 'ticket change');
    const next: SimTicket = { ...current, ...definedOnly(changes) };
    this.check(next);
    if (isDeepStrictEqual(next, current)) return { record: { ...current }, changed: false };
    next.updatedAt = this.stamp(at);
    this.tickets.set(id, next);
    return { record: { ...next }, changed: true };
  }

  createProfile(input: ProfileDraft, at?: Date): SimProfile {
    const draft = parseInput(profileDraftSchema, input, 'profile');
    const id = draft.id ?? this.allocate('P', () => this.nextProfileNumber++, this.profiles);
    if (this.profiles.has(id)) throw new SimulatorInputError(`profile ${id} already exists`);
    const profile: SimProfile = { id, name: draft.name ?? `Profile ${id}`, description: draft.description ?? null, updatedAt: this.stamp(at) };
    this.profiles.set(id, profile);
    return { ...profile };
  }

  changeProfile(id: string, input: ProfileChanges, at?: Date): Change<SimProfile> {
    const current = this.profiles.get(id);
    if (!current) throw new SimulatorInputError(`profile ${id} not found`, 404);
    const next: SimProfile = { ...current, ...definedOnly(parseInput(profileChangesSchema, input, 'profile change')) };
    if (isDeepStrictEqual(next, current)) return { record: { ...current }, changed: false };
    next.updatedAt = this.stamp(at);
    this.profiles.set(id, next);
    return { record: { ...next }, changed: true };
  }

  /** A profile removed in PCSM (a customer that left): the API stops listing it; PCSM sends no event. */
  removeProfile(id: string): void {
    if (!this.profiles.delete(id)) throw new SimulatorInputError(`profile ${id} not found`, 404);
  }

  /** A change time strictly after every earlier one, so watermarks and the updatedAt order are unambiguous. */
  private stamp(at?: Date): string {
    if (at !== undefined) {
      if (Number.isNaN(at.getTime())) throw new SimulatorInputError('at is not a valid date');
      this.lastStampMs = Math.max(this.lastStampMs, at.getTime());
      return at.toISOString();
    }
    this.lastStampMs = Math.max(Date.now(), this.lastStampMs + 1);
    return new Date(this.lastStampMs).toISOString();
  }

  private check(ticket: SimTicket): void {
    if (!this.statuses.includes(ticket.status)) {
      throw new SimulatorInputError(`unknown status "${ticket.status}"; known: ${this.statuses.join(', ')}`);
    }
    if (!this.profiles.has(ticket.profileId)) throw new SimulatorInputError(`unknown profile ${ticket.profileId}`);
  }

  private allocate(prefix: string, next: () => number, taken: Map<string, unknown>): string {
    for (;;) {
      const id = `${prefix}-${next()}`;
      if (!taken.has(id)) return id;
    }
  }
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

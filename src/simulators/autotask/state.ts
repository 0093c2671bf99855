/** The tenant's data and what the simulator has seen, all in memory. */
import type { PicklistValue } from '../../autotask/types';
import { autotaskTimestamp, ENTITIES, type EntityDefinition } from './model';
import { defaultSeed, type EntityRecord, type SeedData } from './seed';

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  /** Entity URL name as Autotask spells it (`Tickets`), `ZoneInformation`, or null when unknown. */
  entity: string | null;
  /** null while no answer was written (still running, hung, or the socket was destroyed). */
  status: number | null;
  /** POST/PATCH/PUT on an entity collection (queries are reads). */
  write: boolean;
  integrationCode: string | null;
  impersonationResourceId: string | null;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
}

/** Where a `query/next?paging=…` link continues. */
export interface PageCursor {
  entity: string;
  query: unknown;
  afterId: number;
  previous: string | null;
}

export class SimulatorState {
  readonly requests: RequestLogEntry[] = [];
  readonly pages = new Map<string, PageCursor>();
  private stores = new Map<string, Map<number, EntityRecord>>();
  private picklists: SeedData['picklists'] = {};
  private nextIds: Record<string, number> = {};
  private ticketNumbers = new Map<string, number>();

  constructor(private readonly seed: () => SeedData = defaultSeed) {
    this.reset();
  }

  reset(): void {
    const data = this.seed();
    this.requests.length = 0;
    this.pages.clear();
    this.ticketNumbers.clear();
    this.picklists = data.picklists;
    this.nextIds = { ...data.nextIds };
    this.stores = new Map(ENTITIES.map((entity) => [entity.name, new Map<number, EntityRecord>()]));
    for (const company of data.companies) this.put(this.entityNamed('Companies'), company);
    for (const code of data.billingCodes) this.put(this.entityNamed('BillingCodes'), code);
    for (const resource of data.resources) this.put(this.entityNamed('Resources'), resource);
  }

  entityNamed(name: string): EntityDefinition {
    const entity = ENTITIES.find((candidate) => candidate.name === name);
    if (!entity) throw new Error(`no entity ${name}`);
    return entity;
  }

  store(entity: EntityDefinition): Map<number, EntityRecord> {
    const store = this.stores.get(entity.name);
    if (!store) throw new Error(`no store for ${entity.name}`);
    return store;
  }

  get(entity: EntityDefinition, id: number): EntityRecord | undefined {
    return this.store(entity).get(id);
  }

  /** Every record, sorted by id as Autotask's queries are. */
  list(entity: EntityDefinition): EntityRecord[] {
    return [...this.store(entity).values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Stores a record with every field of the entity present (empty ones as null, as the API returns them). */
  put(entity: EntityDefinition, values: EntityRecord): EntityRecord {
    const record: EntityRecord = {};
    for (const field of entity.fields) record[field.name] = values[field.name] ?? null;
    if (entity.hasUserDefinedFields) record.userDefinedFields = Array.isArray(values.userDefinedFields) ? values.userDefinedFields : [];
    const id = Number(record.id);
    this.store(entity).set(id, record);
    if (id >= (this.nextIds[entity.name] ?? 1)) this.nextIds[entity.name] = id + 1;
    return record;
  }

  remove(entity: EntityDefinition, id: number): boolean {
    return this.store(entity).delete(id);
  }

  allocateId(entity: EntityDefinition): number {
    const id = this.nextIds[entity.name] ?? 1;
    this.nextIds[entity.name] = id + 1;
    return id;
  }

  /** T{yyyymmdd}.{nnnn}, numbered per (UTC) day. */
  nextTicketNumber(at: Date): string {
    const day = autotaskTimestamp(at).slice(0, 10).replace(/-/g, '');
    const sequence = (this.ticketNumbers.get(day) ?? 0) + 1;
    this.ticketNumbers.set(day, sequence);
    return `T${day}.${String(sequence).padStart(4, '0')}`;
  }

  picklist(entity: EntityDefinition, field: string): PicklistValue[] {
    return this.picklists[entity.name]?.[field] ?? [];
  }

  setPicklistValueActive(entity: EntityDefinition, field: string, value: number | string, isActive: boolean): void {
    const entry = this.picklist(entity, field).find((candidate) => candidate.value === String(value));
    if (!entry) throw new Error(`${entity.name}.${field} has no picklist value ${String(value)}`);
    entry.isActive = isActive;
  }
}

/**
 * QueryModel evaluation: what `POST /{Entity}/query` accepts and how its Filter selects records.
 * Field and property names match case-insensitively; string comparisons are case-insensitive too,
 * as under SQL Server's default collation that Autotask's errors reveal it runs on.
 */
import { findField, type EntityDefinition, type FieldSpec } from './model';
import type { EntityRecord } from './seed';
import { propertyIgnoringCase, rejected } from './wire';

export const MAX_PAGE_SIZE = 500;
const MAX_OR_CONDITIONS = 500;

export interface ParsedQuery {
  maxRecords: number;
  /** null = every field. */
  includeFields: FieldSpec[] | null;
  predicate: (record: EntityRecord) => boolean;
}

export type RecordPredicate = (record: EntityRecord) => boolean;

export function parseQueryModel(entity: EntityDefinition, raw: unknown): ParsedQuery {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw rejected('Unexpected character encountered while parsing value. Path \'\', line 1, position 1.');
  }
  return {
    maxRecords: parseMaxRecords(propertyIgnoringCase(raw, 'MaxRecords')),
    includeFields: parseIncludeFields(entity, propertyIgnoringCase(raw, 'IncludeFields')),
    predicate: compileFilter(entity, asFilterList(propertyIgnoringCase(raw, 'Filter'))),
  };
}

function parseMaxRecords(value: unknown): number {
  if (value === undefined || value === null) return MAX_PAGE_SIZE;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw rejected('maxCountOfRecordsToReturn must be between 1 and 500');
  }
  return n;
}

function parseIncludeFields(entity: EntityDefinition, value: unknown): FieldSpec[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw rejected('IncludeFields must be an array of field names.');
  if (value.length === 0) return null;
  return value.map((name) => requireField(entity, String(name)));
}

function asFilterList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw rejected('Filter must be an array of filter expressions.');
  return value;
}

function requireField(entity: EntityDefinition, name: string): FieldSpec {
  const field = findField(entity, name);
  if (!field) throw rejected(`Unable to find ${name} in the ${entity.singular} Entity.`);
  return field;
}

/** Top-level expressions are ANDed. */
export function compileFilter(entity: EntityDefinition, filters: unknown[]): RecordPredicate {
  if (countOrConditions(filters, false) > MAX_OR_CONDITIONS) {
    throw rejected("Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
  }
  const udfNames = new Set<string>();
  const predicates = filters.map((filter) => compileExpression(entity, filter, udfNames));
  return (record) => predicates.every((predicate) => predicate(record));
}

function countOrConditions(filters: unknown[], insideOr: boolean): number {
  let count = 0;
  for (const filter of filters) {
    const op = String(propertyIgnoringCase(filter, 'op') ?? '').toLowerCase();
    const items = propertyIgnoringCase(filter, 'items');
    if ((op === 'and' || op === 'or') && Array.isArray(items)) {
      count += countOrConditions(items, insideOr || op === 'or');
    } else if (insideOr) {
      count += 1;
    }
  }
  return count;
}

function compileExpression(entity: EntityDefinition, filter: unknown, udfNames: Set<string>): RecordPredicate {
  const op = String(propertyIgnoringCase(filter, 'op') ?? '').toLowerCase();
  if (op === 'and' || op === 'or') {
    const items = propertyIgnoringCase(filter, 'items');
    if (!Array.isArray(items)) throw rejected(`The '${op}' operator requires an items array.`);
    const predicates = items.map((item) => compileExpression(entity, item, udfNames));
    return op === 'and'
      ? (record) => predicates.every((predicate) => predicate(record))
      : (record) => predicates.some((predicate) => predicate(record));
  }
  const fieldName = String(propertyIgnoringCase(filter, 'field') ?? '');
  const value = propertyIgnoringCase(filter, 'value');
  if (propertyIgnoringCase(filter, 'udf') === true) {
    udfNames.add(fieldName.toLowerCase());
    if (udfNames.size > 1) throw rejected('You can only query by one user-defined field at a time.');
    return compileComparison(op, udfField(fieldName), value, (record) => udfValue(record, fieldName));
  }
  const field = requireField(entity, fieldName);
  if (!field.queryable) throw rejected(`The field ${field.name} is not queryable.`);
  return compileComparison(op, field, value, (record) => record[field.name] ?? null);
}

function udfField(name: string): FieldSpec {
  return {
    name, type: 'string', readOnly: false, required: false, queryable: true, length: 8000,
    reference: '', picklist: false, picklistParent: '',
  };
}

function udfValue(record: EntityRecord, name: string): unknown {
  const udfs = record.userDefinedFields;
  if (!Array.isArray(udfs)) return null;
  const lower = name.toLowerCase();
  const match = udfs.find((udf) => String(propertyIgnoringCase(udf, 'name') ?? '').toLowerCase() === lower);
  return propertyIgnoringCase(match, 'value') ?? null;
}

type Comparable = number | string;

function compileComparison(
  op: string,
  field: FieldSpec,
  rawValue: unknown,
  read: (record: EntityRecord) => unknown,
): RecordPredicate {
  const current = (record: EntityRecord): Comparable | null => toComparable(field, read(record));
  switch (op) {
    case 'exist':
      return (record) => current(record) !== null && current(record) !== '';
    case 'notexist':
      return (record) => current(record) === null || current(record) === '';
    case 'in':
    case 'notin': {
      if (!Array.isArray(rawValue)) throw rejected(`The '${op}' operator requires an array value.`);
      const wanted = new Set(rawValue.map((item) => convertFilterValue(field, item)));
      // SQL semantics: NULL is neither IN nor NOT IN a list.
      return op === 'in'
        ? (record) => { const v = current(record); return v !== null && wanted.has(v); }
        : (record) => { const v = current(record); return v !== null && !wanted.has(v); };
    }
    case 'beginswith':
    case 'endswith':
    case 'contains': {
      const needle = String(rawValue ?? '').toLowerCase();
      const test = op === 'beginswith'
        ? (text: string) => text.startsWith(needle)
        : op === 'endswith' ? (text: string) => text.endsWith(needle) : (text: string) => text.includes(needle);
      return (record) => { const v = read(record); return v !== null && v !== undefined && test(String(v).toLowerCase()); };
    }
    case 'eq': case 'noteq': case 'gt': case 'gte': case 'lt': case 'lte': {
      const wanted = convertFilterValue(field, rawValue);
      const compare = comparator(op);
      return (record) => { const v = current(record); return v !== null && compare(v, wanted); };
    }
    default:
      throw rejected(`Invalid filter operation '${op}'.`);
  }
}

function comparator(op: string): (left: Comparable, right: Comparable) => boolean {
  switch (op) {
    case 'eq': return (l, r) => l === r;
    case 'noteq': return (l, r) => l !== r;
    case 'gt': return (l, r) => l > r;
    case 'gte': return (l, r) => l >= r;
    case 'lt': return (l, r) => l < r;
    default: return (l, r) => l <= r;
  }
}

/** A filter value converted to the field's type, failing the way SQL Server's conversion does. */
export function convertFilterValue(field: FieldSpec, value: unknown): Comparable {
  if (value === null || value === undefined) throw rejected(`A value is required to filter on ${field.name}.`);
  switch (field.type) {
    case 'integer':
    case 'long': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
      throw rejected(`Conversion failed when converting varchar '${String(value)}' to data type ${field.type === 'long' ? 'bigint' : 'int'}`);
    }
    case 'double': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isFinite(n)) return n;
      throw rejected('Error converting data type varchar to float.');
    }
    case 'boolean': {
      if (value === true || value === 1 || value === '1' || String(value).toLowerCase() === 'true') return 1;
      if (value === false || value === 0 || value === '0' || String(value).toLowerCase() === 'false') return 0;
      throw rejected(`Conversion failed when converting the varchar value '${String(value)}' to data type bit.`);
    }
    case 'datetime': {
      const at = parseAutotaskTime(String(value));
      if (at === null) throw rejected('Conversion failed when converting date and/or time from character string.');
      return at;
    }
    default:
      return String(value).toLowerCase();
  }
}

function toComparable(field: FieldSpec, value: unknown): Comparable | null {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'boolean': return value === true ? 1 : 0;
    case 'datetime': return parseAutotaskTime(String(value));
    case 'integer': case 'long': case 'double': return typeof value === 'number' ? value : Number(value);
    default: return String(value).toLowerCase();
  }
}

/** Timestamps without a zone designator are UTC. */
function parseAutotaskTime(text: string): number | null {
  const trimmed = text.trim();
  const hasZone = /^\d{4}-\d\d-\d\d$/.test(trimmed) || /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed);
  const ms = Date.parse(hasZone ? trimmed : `${trimmed}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** Only the requested fields come back, absent rather than null. */
export function projectRecord(record: EntityRecord, includeFields: FieldSpec[] | null): EntityRecord {
  if (includeFields === null) return { ...record };
  return Object.fromEntries(includeFields.map((field) => [field.name, record[field.name] ?? null]));
}

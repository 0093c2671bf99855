import { COMPANIES, TICKETS } from '../../src/simulators/autotask/model';
import { compileFilter, parseQueryModel, projectRecord } from '../../src/simulators/autotask/query';
import type { EntityRecord } from '../../src/simulators/autotask/seed';
import { ApiFault } from '../../src/simulators/autotask/wire';

const tickets: EntityRecord[] = [
  { id: 1, title: 'Disk C: full', status: 1, priority: 4, externalID: 'PCSM-1', queueID: 5, createDate: '2026-11-01T10:00:00.000', userDefinedFields: [{ name: 'Customer Ranking', value: 'Golden' }] },
  { id: 2, title: 'Printer offline', status: 5, priority: 3, externalID: null, queueID: 8, createDate: '2026-11-02T10:00:00.000', userDefinedFields: [] },
  { id: 3, title: 'disk D: slow', status: 8, priority: 1, externalID: 'pcsm-3', queueID: null, createDate: '2026-11-03T10:00:00.000', userDefinedFields: [] },
];

function ids(filter: unknown[]): number[] {
  const predicate = compileFilter(TICKETS, filter);
  return tickets.filter(predicate).map((ticket) => Number(ticket.id));
}

function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiFault) return (error.body as { errors: string[] }).errors;
    throw error;
  }
  throw new Error('expected the query to be refused');
}

describe('simulator query filters', () => {
  it('compares with eq, noteq, gt, gte, lt and lte', () => {
    expect(ids([{ op: 'eq', field: 'status', value: 5 }])).toEqual([2]);
    expect(ids([{ op: 'noteq', field: 'status', value: 5 }])).toEqual([1, 3]);
    expect(ids([{ op: 'gt', field: 'id', value: 1 }])).toEqual([2, 3]);
    expect(ids([{ op: 'gte', field: 'id', value: 2 }])).toEqual([2, 3]);
    expect(ids([{ op: 'lt', field: 'id', value: 2 }])).toEqual([1]);
    expect(ids([{ op: 'lte', field: 'id', value: 2 }])).toEqual([1, 2]);
  });

  it('matches strings with beginsWith, endsWith and contains, ignoring case', () => {
    expect(ids([{ op: 'beginsWith', field: 'title', value: 'disk' }])).toEqual([1, 3]);
    expect(ids([{ op: 'endsWith', field: 'title', value: 'OFFLINE' }])).toEqual([2]);
    expect(ids([{ op: 'contains', field: 'title', value: ': ' }])).toEqual([1, 3]);
    expect(ids([{ op: 'eq', field: 'externalID', value: 'PCSM-3' }])).toEqual([3]);
  });

  it('tests presence with exist and notExist', () => {
    expect(ids([{ op: 'exist', field: 'externalID' }])).toEqual([1, 3]);
    expect(ids([{ op: 'notExist', field: 'queueID' }])).toEqual([3]);
  });

  it('tests membership with in and notIn, leaving nulls out of both', () => {
    expect(ids([{ op: 'in', field: 'queueID', value: [5, 8] }])).toEqual([1, 2]);
    expect(ids([{ op: 'notIn', field: 'queueID', value: [5] }])).toEqual([2]);
  });

  it('ANDs top-level expressions and evaluates nested and/or groups', () => {
    expect(ids([{ op: 'gt', field: 'id', value: 0 }, { op: 'eq', field: 'priority', value: 4 }])).toEqual([1]);
    expect(
      ids([
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'status', value: 5 },
            { op: 'and', items: [{ op: 'eq', field: 'status', value: 8 }, { op: 'eq', field: 'priority', value: 1 }] },
          ],
        },
      ]),
    ).toEqual([2, 3]);
  });

  it('matches field names, operators and property names case-insensitively', () => {
    expect(ids([{ Op: 'EQ', Field: 'STATUS', Value: 1 }])).toEqual([1]);
  });

  it('compares timestamps without a zone designator as UTC', () => {
    expect(ids([{ op: 'gte', field: 'createDate', value: '2026-11-02T10:00:00Z' }])).toEqual([2, 3]);
  });

  it('filters on one user-defined field when udf is true', () => {
    expect(ids([{ op: 'eq', field: 'Customer Ranking', udf: true, value: 'golden' }])).toEqual([1]);
    expect(refusal(() => ids([{ op: 'eq', field: 'A', udf: true, value: 'x' }, { op: 'eq', field: 'B', udf: true, value: 'y' }]))[0]).toMatch(/one user-defined field/);
  });

  it('refuses an unknown field the way Autotask does', () => {
    expect(refusal(() => ids([{ op: 'eq', field: 'companyName', value: 'x' }]))).toEqual(['Unable to find companyName in the Ticket Entity.']);
  });

  it('refuses a label where an int is expected with the SQL conversion error', () => {
    expect(refusal(() => ids([{ op: 'eq', field: 'status', value: 'Complete' }]))).toEqual([
      "Conversion failed when converting varchar 'Complete' to data type int",
    ]);
  });

  it('accepts numeric strings for int fields', () => {
    expect(ids([{ op: 'eq', field: 'status', value: '8' }])).toEqual([3]);
  });

  it('refuses fields Autotask cannot query and unknown operators', () => {
    expect(refusal(() => ids([{ op: 'eq', field: 'creatorType', value: 1 }]))[0]).toMatch(/creatorType/);
    expect(refusal(() => ids([{ op: 'like', field: 'title', value: 'x' }]))[0]).toMatch(/like/);
  });

  it('caps or-groups at 500 conditions', () => {
    const items = Array.from({ length: 501 }, (_, index) => ({ op: 'eq', field: 'id', value: index }));
    expect(refusal(() => ids([{ op: 'or', items }]))[0]).toMatch(/500 or fewer 'OR' conditions/);
  });

  it('treats Company isActive as a boolean', () => {
    const predicate = compileFilter(COMPANIES, [{ op: 'eq', field: 'isActive', value: true }]);
    expect([{ id: 1, isActive: true }, { id: 2, isActive: false }].filter(predicate).map((c) => c.id)).toEqual([1]);
  });
});

describe('simulator QueryModel', () => {
  it('defaults MaxRecords to 500 and accepts 1..500', () => {
    expect(parseQueryModel(TICKETS, { filter: [] }).maxRecords).toBe(500);
    expect(parseQueryModel(TICKETS, { maxRecords: 1 }).maxRecords).toBe(1);
  });

  it('refuses MaxRecords outside 1..500', () => {
    for (const value of [0, 501, 20000]) {
      expect(refusal(() => parseQueryModel(TICKETS, { MaxRecords: value }))).toEqual(['maxCountOfRecordsToReturn must be between 1 and 500']);
    }
  });

  it('returns only IncludeFields, under their canonical names', () => {
    const { includeFields } = parseQueryModel(TICKETS, { IncludeFields: ['ID', 'ticketnumber'] });
    expect(projectRecord({ id: 7, ticketNumber: 'T1', title: 'x' }, includeFields)).toEqual({ id: 7, ticketNumber: 'T1' });
  });

  it('refuses an unknown IncludeFields entry', () => {
    expect(refusal(() => parseQueryModel(TICKETS, { IncludeFields: ['nope'] }))).toEqual(['Unable to find nope in the Ticket Entity.']);
  });
});

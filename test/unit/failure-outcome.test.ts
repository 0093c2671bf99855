import { classifyResponse, isValidationMessage } from '../../src/autotask/classify';
import { AutotaskAuthError, AutotaskOutcomeUnknownError, AutotaskRateLimitedError } from '../../src/autotask/errors';
import { decide } from '../../src/failure/outcome';
import { classifyDattoResponse } from '../../src/datto-rmm/classify';
import { classifyPcsmResponse } from '../../src/pcsm/classify';
import { RetryLaterError, SyncRefusedError } from '../../src/sync/errors';

const answer = (status: number, data: unknown = '', headers: Record<string, string> = {}) => ({ status, data, headers });

describe('the one failure policy', () => {
  it('retries an Autotask hiccup (500 + errors that name no field or value) with the job’s backoff', () => {
    const error = classifyResponse(answer(500, { errors: ['An unexpected error has occurred. Please try again later.'] }));
    expect(decide(error)).toEqual({ kind: 'retry', reason: expect.stringContaining('unexpected error'), afterMs: null, scope: 'job' });
  });

  it('waits for a change after a validation refusal naming a field or a value', () => {
    for (const text of [
      'Reference value on field: companyID of type: Company does not exist or is invalid.',
      'Value 15 for field: status is not valid for … .',
      'Missing Required Field: title.',
      'Unable to find companyName in the Contact Entity.',
    ]) {
      expect(decide(classifyResponse(answer(500, { errors: [text] }))).kind).toBe('wait-for-change');
    }
  });

  it('holds the whole connector for Retry-After on a 429, but only the job on the thread limit', () => {
    expect(decide(classifyResponse(answer(429, { errors: ['threshold'] }, { 'retry-after': '7' })))).toMatchObject({ kind: 'retry', afterMs: 7_000, scope: 'connector' });
    expect(decide(classifyResponse(answer(500, { errors: ['Itgenatr005: Thread Threshold Exceeded'] })))).toMatchObject({ kind: 'retry', afterMs: 5_000, scope: 'call' });
  });

  it('stops the connector when credentials are refused, and refuses only the call on a permission error', () => {
    expect(decide(classifyResponse(answer(401)))).toMatchObject({ kind: 'stop-connector', system: 'autotask' });
    expect(decide(classifyResponse(answer(403)))).toMatchObject({ kind: 'wait-for-change' });
    expect(decide(classifyResponse(answer(500, { errors: ['The logged in Resource does not have the adequate permissions to create this entity.'] })))).toMatchObject({ kind: 'wait-for-change' });
    expect(decide(classifyPcsmResponse(answer(401)))).toMatchObject({ kind: 'stop-connector', system: 'pcsm' });
  });

  it('retries a create of unknown outcome (the look-up by externalID keeps it single)', () => {
    expect(decide(new AutotaskOutcomeUnknownError('no answer'))).toMatchObject({ kind: 'retry', scope: 'job' });
  });

  it('reads the sync code’s own failures the same way, and retries anything it does not know', () => {
    expect(decide(new SyncRefusedError('no association'))).toEqual({ kind: 'wait-for-change', reason: 'no association' });
    expect(decide(new RetryLaterError(1_234, 'busy'))).toEqual({ kind: 'retry', reason: 'busy', afterMs: 1_234, scope: 'job' });
    expect(decide(new Error('socket hang up in the store'))).toMatchObject({ kind: 'retry', afterMs: null });
    expect(decide('not even an error')).toMatchObject({ kind: 'retry' });
  });

  it('rates a PCSM 429 as a connector-wide wait and a PCSM 5xx as transient', () => {
    expect(decide(classifyPcsmResponse(answer(429, '', { 'retry-after': '3' })))).toMatchObject({ kind: 'retry', afterMs: 3_000, scope: 'connector' });
    expect(decide(classifyPcsmResponse(answer(503)))).toMatchObject({ kind: 'retry', scope: 'job' });
    expect(decide(classifyPcsmResponse(answer(422, { error: 'unknown status' })))).toMatchObject({ kind: 'wait-for-change' });
  });

  it('rates Datto RMM’s 429 and IP block as waits of the calls to Datto RMM only, and its 5xx as transient', () => {
    expect(decide(classifyDattoResponse(answer(429, { message: 'Too many requests' }, { 'retry-after': '30' })))).toMatchObject({ kind: 'retry', afterMs: 30_000, scope: 'call' });
    expect(decide(classifyDattoResponse(answer(403, '<html>blocked</html>')))).toMatchObject({ kind: 'retry', afterMs: 5 * 60_000, scope: 'call' });
    expect(decide(classifyDattoResponse(answer(502)))).toMatchObject({ kind: 'retry', scope: 'job' });
  });

  it('tells validation messages from hiccups', () => {
    expect(isValidationMessage('Reference value on field: contactID of type: Contact does not exist or is invalid.')).toBe(true);
    expect(isValidationMessage('An unexpected error has occurred. Please try again later.')).toBe(false);
    expect(isValidationMessage('Timeout expired. The timeout period elapsed prior to completion of the operation.')).toBe(false);
    expect(isValidationMessage('Object reference not set to an instance of an object.')).toBe(false);
  });

  it('keeps the error classes’ own words: 401 credentials, rate limits with their waits', () => {
    expect(new AutotaskAuthError('x', 401).failure).toBe('credentials');
    expect(new AutotaskAuthError('x', 403).failure).toBe('refused');
    expect(new AutotaskRateLimitedError('x', 10).retryable).toBe(true);
  });
});

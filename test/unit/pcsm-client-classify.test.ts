import { classifyPcsmResponse, serverMessage, type PcsmHttpResponse } from '../../src/pcsm/classify';
import {
  PcsmAuthError,
  PcsmNotFoundError,
  PcsmRateLimitedError,
  PcsmRequestError,
  PcsmUnavailableError,
  PcsmUnexpectedAnswerError,
} from '../../src/pcsm/errors';

function answer(status: number, data: unknown = '', headers: Record<string, string> = {}): PcsmHttpResponse {
  return { status, data, headers };
}

const API_KEY = 'pcsm-live-key-0123456789';

describe('classifying a PCSM answer', () => {
  it('treats every 2xx answer as success', () => {
    for (const status of [200, 201, 204]) expect(classifyPcsmResponse(answer(status, {}))).toBeNull();
  });

  it('reads 401 and 403 as a refused API key that is not retryable', () => {
    for (const status of [401, 403]) {
      const error = classifyPcsmResponse(answer(status, { error: 'Invalid API key' }), { call: 'GET /api/v1/account' });
      expect(error).toBeInstanceOf(PcsmAuthError);
      expect(error?.message).toMatch(/^PCSM refused the API key \(HTTP \d{3}\) for GET \/api\/v1\/account/);
      expect(error?.retryable).toBe(false);
      expect((error as PcsmAuthError).status).toBe(status);
    }
  });

  it('never repeats the API key, even when the server echoes it', () => {
    const error = classifyPcsmResponse(answer(400, { error: `key ${API_KEY} may not do this` }), {
      call: 'PATCH /api/v1/tickets/T-1',
      secrets: [API_KEY],
    });
    expect(error?.message).not.toContain(API_KEY);
    expect((error as PcsmRequestError).serverMessage).not.toContain(API_KEY);
    expect(error?.message).toContain('[redacted]');
  });

  it('reads 404 as not found', () => {
    const error = classifyPcsmResponse(answer(404, { error: 'Ticket T-9 not found' }));
    expect(error).toBeInstanceOf(PcsmNotFoundError);
    expect(error?.retryable).toBe(false);
  });

  it('reads 429 as rate limited, waiting as long as Retry-After says in seconds', () => {
    const error = classifyPcsmResponse(answer(429, { error: 'slow down' }, { 'retry-after': '7' }));
    expect(error).toBeInstanceOf(PcsmRateLimitedError);
    expect((error as PcsmRateLimitedError).retryAfterMs).toBe(7000);
    expect(error?.retryable).toBe(true);
  });

  it('reads a Retry-After HTTP date relative to now', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const error = classifyPcsmResponse(answer(429, '', { 'retry-after': 'Fri, 27 Nov 2026 12:00:30 GMT' }), { now });
    expect((error as PcsmRateLimitedError).retryAfterMs).toBe(30_000);
  });

  it('waits a minute on a 429 without a usable Retry-After', () => {
    expect((classifyPcsmResponse(answer(429)) as PcsmRateLimitedError).retryAfterMs).toBe(60_000);
    expect((classifyPcsmResponse(answer(429, '', { 'retry-after': 'soon' })) as PcsmRateLimitedError).retryAfterMs).toBe(60_000);
  });

  it('reads 408 and every 5xx as unavailable and retryable', () => {
    for (const status of [408, 500, 502, 503, 504]) {
      const error = classifyPcsmResponse(answer(status, { error: 'later' }));
      expect(error).toBeInstanceOf(PcsmUnavailableError);
      expect(error?.retryable).toBe(true);
      expect((error as PcsmUnavailableError).status).toBe(status);
    }
  });

  it('reads other 4xx as a permanent refusal that carries what PCSM said', () => {
    const error = classifyPcsmResponse(answer(400, { error: 'unknown status "Done"' }), { call: 'PATCH /api/v1/tickets/T-1' });
    expect(error).toBeInstanceOf(PcsmRequestError);
    expect(error).not.toBeInstanceOf(PcsmUnexpectedAnswerError);
    expect(error?.retryable).toBe(false);
    expect((error as PcsmRequestError).serverMessage).toBe('unknown status "Done"');
    expect(error?.message).toBe('PCSM rejected PATCH /api/v1/tickets/T-1 (HTTP 400): unknown status "Done"');
  });

  it('keeps the error classes apart for instanceof checks', () => {
    const error = classifyPcsmResponse(answer(401));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PcsmRequestError);
    expect(error?.name).toBe('PcsmAuthError');
  });
});

describe("reading PCSM's error text", () => {
  it('prefers { error }, then { message }, then a short plain-text body', () => {
    expect(serverMessage({ error: 'a', message: 'b' })).toBe('a');
    expect(serverMessage({ message: 'b' })).toBe('b');
    expect(serverMessage('  plain  ')).toBe('plain');
  });

  it('ignores HTML error pages and bodies without text', () => {
    expect(serverMessage('<html><body>Bad Gateway</body></html>')).toBeNull();
    expect(serverMessage({ error: 42 })).toBeNull();
    expect(serverMessage(null)).toBeNull();
  });

  it('cuts very long messages', () => {
    expect(serverMessage({ error: 'x'.repeat(5000) })?.length).toBe(500);
  });
});

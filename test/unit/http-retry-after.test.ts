import { parseRetryAfter } from '../../src/http/retry-after';

describe('parsing Retry-After', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('falls back to 60 s when the header is missing or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBe(60_000);
    expect(parseRetryAfter('-5', now)).toBe(60_000);
  });

  it('uses a caller-chosen fallback', () => {
    expect(parseRetryAfter(null, now, 5000)).toBe(5000);
  });
});

/** How long Autotask asks us to wait: `Retry-After` as delta-seconds or an HTTP-date (n8n parses both). */

export const DEFAULT_RETRY_AFTER_MS = 60_000;

export function parseRetryAfter(value: string | null | undefined, now: number = Date.now(), fallbackMs = DEFAULT_RETRY_AFTER_MS): number {
  if (value === null || value === undefined) return fallbackMs;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only full dates count: Date.parse would accept "2" or "soon-ish" variants on some engines.
  if (!/[a-z]{3},?\s+\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d\d:\d\d:\d\d/i.test(text)) return fallbackMs;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return fallbackMs;
  return Math.max(0, at - now);
}

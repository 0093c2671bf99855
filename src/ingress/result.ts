import type { Response } from 'express';

/** What a handler returns; one adapter writes it to Express's `res`. */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** An array value is sent as several header lines (e.g. one WWW-Authenticate per scheme). */
  headers?: Record<string, string | string[]>;
  contentType?: string;
}

export const PROBLEM_TYPE = 'application/problem+json';

/**
 * The only way error text leaves the api: RFC 9457 problem details. Never put a secret or a raw
 * exception message in here.
 */
export function problem(
  status: number,
  title: string,
  detail?: string,
  extras: Record<string, unknown> = {},
  headers: Record<string, string | string[]> = {},
): HttpResult {
  return {
    status,
    contentType: PROBLEM_TYPE,
    headers,
    body: { type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extras },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { status, body, headers };
}

export function send(res: Response, result: HttpResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  if (result.body === undefined) {
    res.end();
    return;
  }
  const contentType = result.contentType ?? 'application/json';
  const raw = contentType.startsWith('text/') && typeof result.body === 'string';
  res.type(contentType).send(raw ? result.body : JSON.stringify(result.body));
}

/** How soon a sender should retry while the queue is unreachable. */
export const RETRY_AFTER_SECONDS = '5';

/** Redis is down: never a 2xx for an event that was not enqueued. */
export function queueUnavailable(): HttpResult {
  return problem(503, 'Service Unavailable', 'the event queue is unreachable; retry later', {}, { 'Retry-After': RETRY_AFTER_SECONDS });
}

/** Checked in place of an unknown connector's secret, so that case costs what a wrong signature costs. */
export const DECOY_SECRET = 'unknown-connector-decoy-secret';

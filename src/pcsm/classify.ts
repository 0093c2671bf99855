/** Every PCSM answer is classified here, once, into the shared error classes (src/http/remote-errors.ts). */
import { redact } from '../http/redact';
import {
  RemoteAuthError,
  RemoteNotFoundError,
  RemoteRateLimitedError,
  RemoteRequestError,
  RemoteUnavailableError,
  type RemoteError,
} from '../http/remote-errors';
import { parseRetryAfter } from '../http/retry-after';
import type { HttpResponse } from '../http/transport';

export type PcsmHttpResponse = HttpResponse;

export interface ClassifyOptions {
  /** What was asked, for the message: `GET /api/v1/tickets/T-1`. */
  call?: string;
  now?: number;
  /** Values that must not appear in any error text (the API key). */
  secrets?: ReadonlyArray<string | null | undefined>;
}

const MAX_SERVER_MESSAGE = 500;

/** PCSM's `{ "error": "…" }` (or a `message`), or a short plain-text body; null when there is none. */
export function serverMessage(data: unknown): string | null {
  if (typeof data === 'string') {
    const text = data.trim();
    return text && !text.startsWith('<') ? text.slice(0, MAX_SERVER_MESSAGE) : null;
  }
  if (typeof data !== 'object' || data === null) return null;
  for (const key of ['error', 'message']) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, MAX_SERVER_MESSAGE);
  }
  return null;
}

/** null for a 2xx answer, otherwise the error to throw. */
export function classifyPcsmResponse(response: PcsmHttpResponse, options: ClassifyOptions = {}): RemoteError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const secrets = options.secrets ?? [];
  const said = serverMessage(response.data);
  const detail = said === null ? null : redact(said, secrets);
  const call = options.call ? redact(options.call, secrets) : 'the request';
  const suffix = detail === null ? '' : `: ${detail}`;

  if (status === 401 || status === 403) {
    const why = status === 401 ? 'check the connector\'s PCSM API key and API URL' : 'the key lacks permission for this call';
    return new RemoteAuthError('pcsm', `PCSM refused the API key (HTTP ${status}) for ${call}: ${why}.`, status);
  }
  if (status === 404) return new RemoteNotFoundError('pcsm', `PCSM has no such resource (HTTP 404) for ${call}${suffix}`);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.now ?? Date.now());
    return new RemoteRateLimitedError('pcsm', `PCSM rate limit reached (HTTP 429) for ${call}${suffix}`, retryAfterMs);
  }
  if (status === 408 || status >= 500) return new RemoteUnavailableError('pcsm', `PCSM answered HTTP ${status} for ${call}${suffix}`, status);
  return new RemoteRequestError('pcsm', `PCSM rejected ${call} (HTTP ${status})${suffix}`, status, detail);
}

/**
 * Every Autotask answer is classified here, once, into the error classes of errors.ts.
 * Order matters: the thread-limit rejection can arrive with any status and an `errors` body
 * that would otherwise read as a business rule (n8n PR #107).
 */
import {
  AutotaskAuthError,
  AutotaskBusinessRuleError,
  AutotaskRateLimitedError,
  AutotaskUnavailableError,
  type AutotaskError,
} from './errors';
import { redact } from '../http/redact';
import { parseRetryAfter } from '../http/retry-after';
import type { HttpResponse } from '../http/transport';

export type AutotaskHttpResponse = HttpResponse;

export interface ClassifyOptions {
  now?: number;
  /** Values that must not appear in any error text (secret, integration code). */
  secrets?: ReadonlyArray<string | null | undefined>;
}

const THREAD_LIMIT = /thread threshold|Itgenatr005/i;
/**
 * Autotask answers validation failures and its own hiccups alike with HTTP 500 + `errors`. A
 * validation message names a field or a value (the texts the API is known to send: n8n CHANGELOG,
 * django-autotask, WYRE PRs); anything else on a 5xx is treated as the hiccup it usually is.
 */
const VALIDATION = [
  /\bfield\b/i, // "Reference value on field: …", "Value 9 for field: status …", "Missing Required Field: title."
  /\bvalue\b/i, // "Error converting value …", "Conversion failed when converting the varchar value …"
  /Unable to find .+ in the .+ Entity/i,
  /Conversion failed|Could not convert|Unexpected character encountered/i,
  /must be between|is required|is not valid|is invalid|does not exist|already exists|duplicate/i,
  /No matching records found/i,
  /\boperator\b|\bfilter\b|IncludeFields|paging token/i,
];
const HICCUP = /unexpected error|try again|timeout|timed out|deadlock|temporarily|unavailable/i;

/** Whether an `errors` text is Autotask refusing the data rather than failing to handle it. */
export function isValidationMessage(text: string): boolean {
  return !HICCUP.test(text) && VALIDATION.some((pattern) => pattern.test(text));
}
/** A thread frees up when one of our own requests finishes: seconds, not the hourly window's minute. */
export const THREAD_LIMIT_RETRY_MS = 5_000;
// Some permission failures come back as HTTP 500 (django-autotask api.py).
const PERMISSION_DENIED = /does not have the adequate permissions/i;

/** The `errors` string array of an Autotask error body, or []. */
export function errorTexts(data: unknown): string[] {
  if (typeof data !== 'object' || data === null) return [];
  const errors = (data as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))) : [];
}

/** ASP.NET's `{"Message": …}` (wrong verb, unknown route, unhandled server error). */
function aspNetMessage(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = (data as { Message?: unknown }).Message;
  return typeof message === 'string' ? message : null;
}

function bodyText(data: unknown): string {
  if (data === undefined || data === null) return '';
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** null for a 2xx answer; otherwise the error the answer means. */
export function classifyResponse(response: AutotaskHttpResponse, options: ClassifyOptions = {}): AutotaskError | null {
  const { status, data } = response;
  if (status >= 200 && status < 300) return null;
  const secrets = options.secrets ?? [];
  const clean = (text: string): string => redact(text, secrets);
  const errors = errorTexts(data).map(clean);
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.now ?? Date.now());

  if (THREAD_LIMIT.test(bodyText(data))) {
    const threadRetryMs = parseRetryAfter(response.headers['retry-after'], options.now ?? Date.now(), THREAD_LIMIT_RETRY_MS);
    return new AutotaskRateLimitedError(`Autotask thread threshold exceeded (HTTP ${status}): ${errors.join('; ') || 'Itgenatr005'}`, threadRetryMs, 'call');
  }
  if (status === 429) {
    return new AutotaskRateLimitedError(`Autotask request threshold exceeded (HTTP 429)${errors.length ? `: ${errors.join('; ')}` : ''}`, retryAfterMs);
  }
  if (status === 401) {
    return new AutotaskAuthError('Autotask refused the credentials (HTTP 401): check the API username, secret and integration code.', status, 'credentials');
  }
  if (status === 403 || errors.some((text) => PERMISSION_DENIED.test(text))) {
    const detail = errors.length ? ` Autotask said: ${errors.join('; ')}` : '';
    return new AutotaskAuthError(`The Autotask API user lacks permission for this call (HTTP ${status}).${detail}`, status, 'refused');
  }
  if (errors.length > 0 && (status < 500 || errors.some(isValidationMessage))) return new AutotaskBusinessRuleError(errors, status);
  if (errors.length > 0) return new AutotaskUnavailableError(`Autotask failed to handle the request (HTTP ${status}): ${errors.join('; ')}`, status);
  if (status === 408 || status >= 500) {
    return new AutotaskUnavailableError(`Autotask answered HTTP ${status}${aspNetMessage(data) ? `: ${clean(aspNetMessage(data) ?? '')}` : ''}`, status);
  }
  return new AutotaskBusinessRuleError([clean(aspNetMessage(data) ?? `HTTP ${status}`)], status);
}

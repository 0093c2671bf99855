/**
 * Refusals as a Spring Boot + Spring Security OAuth2 application writes them (Datto's error bodies
 * are undocumented, facts §2.6; clients must classify on the status alone):
 * - the API: Spring Boot's default error attributes `{ timestamp, status, error, message, path }`;
 * - the token endpoint and bearer checks: OAuth2's `{ error, error_description }`;
 * - the IP block: a bare HTML page from the edge, not the application.
 */
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';

export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | string,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : String(body.message ?? body.error_description ?? body.error ?? status));
    this.name = 'ApiFault';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Spring Boot writes `timestamp` as an ISO date with a numeric offset. */
function springTimestamp(now = new Date()): string {
  return now.toISOString().replace('Z', '+00:00');
}

export function springError(status: number, message: string, path: string, headers: Record<string, string> = {}): ApiFault {
  return new ApiFault(status, { timestamp: springTimestamp(), status, error: STATUS_CODES[status] ?? 'Error', message, path }, headers);
}

export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): ApiFault {
  return new ApiFault(status, { error, error_description: description }, headers);
}

export function blockedPage(): ApiFault {
  return new ApiFault(403, '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n');
}

export function sendFault(res: Response, fault: ApiFault): void {
  for (const [name, value] of Object.entries(fault.headers)) res.setHeader(name, value);
  res.status(fault.status);
  if (typeof fault.body === 'string') res.type('text/html').send(fault.body);
  else res.json(fault.body);
}

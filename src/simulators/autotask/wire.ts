import type { Response } from 'express';

/** A refusal the simulator answers the way Autotask does; thrown by handlers, written by one place. */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body !== null ? JSON.stringify(body) : String(body));
    this.name = 'ApiFault';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Business-rule and query failures: Autotask answers HTTP 500 with an error string array. */
export function rejected(...errors: string[]): ApiFault {
  return new ApiFault(500, { errors });
}

/** ASP.NET Web API's answer to a verb a route lacks (Autotask: `PATCH /Tickets/{id}` → 405). */
export function methodNotAllowed(method: string): ApiFault {
  return new ApiFault(405, { Message: `The requested resource does not support http method '${method}'.` });
}

export function notFound(url: string): ApiFault {
  return new ApiFault(404, { Message: `No HTTP resource was found that matches the request URI '${url}'.` });
}

export function sendFault(res: Response, fault: ApiFault): void {
  for (const [name, value] of Object.entries(fault.headers)) res.setHeader(name, value);
  if (fault.body === undefined) {
    res.status(fault.status).end();
  } else {
    res.status(fault.status).json(fault.body);
  }
}

/** Property lookup ignoring case, as Autotask's JSON binder does (`MaxRecords` / `maxRecords`). */
export function propertyIgnoringCase(source: unknown, name: string): unknown {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(source)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

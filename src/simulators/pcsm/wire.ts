import type { Response } from 'express';

/** A refusal answered the way the PCSM API does: `{ "error": "…" }`; thrown by handlers, written by one place. */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiFault';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function sendFault(res: Response, fault: ApiFault): void {
  for (const [name, value] of Object.entries(fault.headers)) res.setHeader(name, value);
  res.status(fault.status).json({ error: fault.message });
}

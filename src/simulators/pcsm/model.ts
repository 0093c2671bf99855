/** The records the simulator keeps, exactly as its API returns them. */
import { z } from 'zod';
import { pcsmAutotaskLinkSchema } from '../../pcsm/answers';

export const TICKET_STATUSES = ['New', 'In Progress', 'Waiting', 'Resolved', 'Closed'] as const;

export interface SimAutotaskLink {
  ticketId: number;
  ticketNumber: string | null;
}

export interface SimTicket {
  id: string;
  profileId: string;
  title: string;
  description: string;
  status: string;
  /** 1 (lowest) to 5 (highest). */
  severity: number;
  deviceId: string | null;
  deviceName: string | null;
  updatedAt: string;
  /** Set by the connector through PATCH; null while unlinked. */
  autotask: SimAutotaskLink | null;
}

export interface SimProfile {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
}

export type TicketDraft = Partial<Omit<SimTicket, 'updatedAt'>>;
export type TicketChanges = Partial<Omit<SimTicket, 'id' | 'updatedAt'>>;
export type ProfileDraft = Partial<Omit<SimProfile, 'updatedAt'>>;
export type ProfileChanges = Partial<Omit<SimProfile, 'id' | 'updatedAt'>>;

/** Thrown by an operation the simulator refuses; the routes answer `{ "error": message }` with `status`. */
export class SimulatorInputError extends Error {
  constructor(message: string, readonly status: 400 | 404 = 400) {
    super(message);
    this.name = 'SimulatorInputError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const id = z.string().min(1).max(100).regex(/^[^/?#\s]+$/, 'no slashes, spaces, ? or #');
const ticketFields = {
  profileId: z.string().min(1).max(100),
  title: z.string().min(1).max(1000),
  description: z.string().max(64000),
  status: z.string().min(1),
  severity: z.number().int().min(1).max(5),
  deviceId: z.string().max(100).nullable(),
  deviceName: z.string().max(200).nullable(),
  autotask: pcsmAutotaskLinkSchema.nullable(),
};
const profileFields = {
  name: z.string().min(1).max(200),
  description: z.string().max(4000).nullable(),
};

export const ticketDraftSchema = z.object({ id, ...ticketFields }).partial().strict();
export const ticketChangesSchema = z.object(ticketFields).partial().strict();
export const profileDraftSchema = z.object({ id, ...profileFields }).partial().strict();
export const profileChangesSchema = z.object(profileFields).partial().strict();

/** The public PATCH body: what a connector may change. */
export const apiTicketPatchSchema = z
  .object({ status: z.string().min(1), autotask: pcsmAutotaskLinkSchema.nullable() })
  .partial()
  .strict();

/** `field: message; …` for a refusal. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
      return issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : `${field}: ${issue.message}`;
    })
    .join('; ');
}

export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new SimulatorInputError(`invalid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

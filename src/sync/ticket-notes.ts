import { createHash } from 'node:crypto';
import { AutotaskOutcomeUnknownError } from '../autotask/errors';
import type { AutotaskSession } from '../autotask/types';
import type { NoteSlot, TicketLinkStore } from '../store/ticket-links';

export interface NoteDeps {
  ticketLinks: Pick<TicketLinkStore, 'get' | 'beginNote' | 'finishNote' | 'abandonNote'>;
  session: Pick<AutotaskSession, 'createTicketNote' | 'findTicketNotes'>;
}

export interface NoteRequest {
  connectorId: string;
  rmmTicketId: string;
  autotaskTicketId: number;
  /** What the note is about; the link keeps one note in flight per slot. */
  slot: NoteSlot;
  /** The same key is the same note: it is posted once, whatever the retries and crashes. */
  key: string;
  title: string;
  description: string;
}

/** Autotask's TicketNote limits. */
const TITLE_MAX = 250;
const DESCRIPTION_MAX = 32_000;
/** Note type "Task Notes"/"Ticket notes" as Autotask ships it, published to everyone ("All Autotask Users"). */
const NOTE_TYPE = 1;
const PUBLISH = 1;

/**
 * Posts a ticket note once per key. Autotask has no idempotency key, so the note's title ends with a
 * short reference derived from the key, and the link records the note before the POST: a retry
 * after a lost answer looks the note up by its title before it posts another. Returns false when
 * the note had been posted already.
 */
export async function postNoteOnce(deps: NoteDeps, note: NoteRequest): Promise<boolean> {
  const reference = createHash('sha256').update(note.key).digest('hex').slice(0, 10);
  const suffix = ` (ref ${reference})`;
  const title = `${note.title.slice(0, TITLE_MAX - suffix.length)}${suffix}`;
  const link = await deps.ticketLinks.get(note.connectorId, note.rmmTicketId);
  const earlier = link?.notes?.[note.slot];
  if (earlier?.key === note.key) {
    if (earlier.postedAt) return false;
    // An earlier attempt may have posted it before its answer was lost.
    const found = await deps.session.findTicketNotes(note.autotaskTicketId, title);
    if (found.some((existing) => existing.title === title)) {
      await deps.ticketLinks.finishNote(note.connectorId, note.rmmTicketId, note.slot, note.key);
      return false;
    }
  }
  await deps.ticketLinks.beginNote(note.connectorId, note.rmmTicketId, note.slot, note.key);
  try {
    await deps.session.createTicketNote(note.autotaskTicketId, {
      title,
      description: note.description.slice(0, DESCRIPTION_MAX),
      noteType: NOTE_TYPE,
      publish: PUBLISH,
    });
  } catch (error) {
    // Only an answer that may have committed keeps the record (and the look-up on the next attempt).
    if (!(error instanceof AutotaskOutcomeUnknownError)) await deps.ticketLinks.abandonNote(note.connectorId, note.rmmTicketId, note.slot, note.key);
    throw error;
  }
  await deps.ticketLinks.finishNote(note.connectorId, note.rmmTicketId, note.slot, note.key);
  return true;
}

/*
 * The words the wizard speaks. The connector names its RMM's words (`setup.rmm.vocabulary`:
 * PCSM's profile, ticket and severity; Datto RMM's site, alert and priority); what each RMM's
 * statuses and severities mean is said here.
 */

/** The RMM's words until the connector says which RMM it links. */
export const NEUTRAL_WORDS = Object.freeze({ product: 'the RMM', site: 'site', ticket: 'ticket', severity: 'severity' });

export const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
export const plural = (word) => (word.endsWith('y') ? `${word.slice(0, -1)}ies` : word.endsWith('s') ? `${word}es` : `${word}s`);

export const POLICIES = [
  { id: 'manual', label: 'Manual', hint: (w) => `${capital(plural(w.ticket))} of a new ${w.product} ${w.site} wait until you associate the ${w.site} here.` },
  { id: 'associate-by-name', label: 'Associate by name', hint: (w) => `A new ${w.site} is associated with the Autotask company of the same name, when there is one.` },
  { id: 'create-company', label: 'Create the Autotask company', hint: (w) => `A new ${w.site} gets a new Autotask company named after it.` },
];

/** What each RMM's statuses and severities mean, in the words of the steps that associate them. */
export const RMM_PROSE = {
  pcsm: {
    statuses: 'Each PCSM status sets the Autotask status chosen here. A status change made in Autotask comes back as the first PCSM status associated with it.',
    severities: 'PCSM severities run from 1 (lowest) to 5 (highest); each sets an Autotask priority.',
    recommended: 'Critical is recommended for 4 and 5.',
  },
  'datto-rmm': {
    statuses: 'An alert raised in Datto RMM makes a ticket with the Autotask status chosen for Open; when the alert resolves, the ticket moves to the one chosen for Resolved ' +
      '(or, when a technician has changed the ticket’s status since, gets a note instead). ' +
      'A ticket moved in Autotask to a status associated with Resolved resolves its alert (Datto RMM alerts cannot be reopened).',
    severities: 'Each Datto RMM alert priority sets an Autotask priority. Alerts the API reports with priority Unknown take Moderate’s when Unknown has none of its own.',
    recommended: 'Critical is recommended for Critical and High.',
  },
};

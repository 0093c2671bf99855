import { acceptEarlierForms, REDACTED_SECRET, SECRET_FIELDS } from '../connector/configuration';
import { rmmAdapter, RMM_ADAPTERS } from '../rmm/registry';
import type { RmmKind } from '../rmm/types';

/** Secrets every connector has, whichever its RMM. */
const AUTOTASK_SECRETS = SECRET_FIELDS.filter((field) => !field.startsWith('rmm.'));

/** The secret fields of a connector of this kind, by path (`rmm.apiKey`, … `autotask.secret`). */
export function secretFieldsOf(kind: RmmKind): string[] {
  return [...rmmAdapter(kind).secretFields.map((field) => `rmm.${field}`), ...AUTOTASK_SECRETS];
}

/**
 * Sets the secrets a `--secrets` file gives, by path. It may name the fields of the connector's kind;
 * `pcsm.*` (the first form) stays accepted for `rmm.*` on a PCSM connector. Answers the names it
 * refused, and the fields the connector has.
 */
export function applySecrets(connector: Record<string, any>, secrets: Record<string, unknown>): { unknown: string[]; fields: string[] } {
  const kind = connector.rmm?.kind as RmmKind | undefined;
  const fields = secretFieldsFor(connector);
  const unknown: string[] = [];
  for (const [given, value] of Object.entries(secrets)) {
    const field = given.startsWith('pcsm.') && kind === 'pcsm' ? `rmm.${given.slice('pcsm.'.length)}` : given;
    if (!fields.includes(field) || typeof value !== 'string') unknown.push(given);
    else setPath(connector, field, value);
  }
  return { unknown, fields };
}

/** An export in any form the api accepts, as the current form (`rmm`, not the top-level `pcsm`). */
export function currentForm(connector: Record<string, unknown>): Record<string, any> {
  return acceptEarlierForms(structuredClone(connector)) as Record<string, any>;
}

/** The secret fields an export leaves out (shown as the redaction marker): what an import into another install must be given. */
export function redactedFields(connector: Record<string, any>): string[] {
  return secretFieldsFor(connector).filter((field) => getPath(connector, field) === REDACTED_SECRET);
}

/** An export whose `rmm.kind` is none the install knows has only the Autotask side's secrets to give. */
function secretFieldsFor(connector: Record<string, any>): string[] {
  const kind = connector.rmm?.kind;
  return typeof kind === 'string' && kind in RMM_ADAPTERS ? secretFieldsOf(kind as RmmKind) : AUTOTASK_SECRETS;
}

function setPath(target: Record<string, any>, path: string, value: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) node = node[key] ??= {};
  node[last] = value;
}

function getPath(target: Record<string, any>, path: string): unknown {
  return path.split('.').reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), target);
}

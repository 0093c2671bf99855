/**
 * JSON text as .NET's System.Text.Json writes it with its default encoder, which is how Autotask
 * serialises webhook payloads: only printable ASCII passes, except `"`, `&`, `'`, `+`, `<`, `>` and
 * the backtick, which are written as `\uXXXX` like every control and non-ASCII code unit (upper-case
 * hex, surrogate pairs escaped one by one). A receiver that re-serialises a parsed body cannot
 * reproduce these bytes: signatures must be checked over the raw body.
 */

const ALWAYS_ESCAPED = new Set(['"', '&', "'", '+', '<', '>', '`']);
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCodeUnit(unit: number): string {
  return `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function dotnetJsonString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    const unit = text.charCodeAt(index);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (unit < 0x20 || unit > 0x7e || ALWAYS_ESCAPED.has(char)) out += escapeCodeUnit(unit);
    else out += char;
  }
  return `${out}"`;
}

/** Serialises JSON-compatible data (objects in insertion order, no whitespace). */
export function dotnetJsonStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return dotnetJsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((item) => dotnetJsonStringify(item)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${dotnetJsonString(key)}:${dotnetJsonStringify(member)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
}

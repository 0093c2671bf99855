/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): what a scraper that refuses
 * anything irregular makes of a /metrics page. It throws on the first violation, naming the line:
 *
 * - HELP and TYPE at most once per family, and before the family's first sample;
 * - a family's samples in one group (no other family's lines in between);
 * - sample lines `name{label="value",…} value [timestamp]`, names and label names as the format
 *   allows, label values with only `\\`, `\"` and `\n` escapes, no label twice, no `__` labels;
 * - no series twice;
 * - counters named `…_total` (OpenMetrics, and this project's rule) and never negative;
 * - histograms as `_bucket{le}` (cumulative, with `le="+Inf"`), `_sum` and `_count` (= the +Inf
 *   bucket) per label set, and nothing else; summaries as `{quantile}`, `_sum` and `_count`.
 *
 * Blanks after a comma inside the braces are accepted, as Prometheus's own parser accepts them.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket` for a histogram `x`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
  line: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Go's strconv.ParseFloat, which Prometheus reads values with: NaN and Inf in any case (prom-client writes "Nan").
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;
const TIMESTAMP = /^-?\d+$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

interface FamilyState extends MetricFamily {
  hasType: boolean;
  /** The family's group is over: another family's line came after its lines. */
  closed: boolean;
  series: Set<string>;
}

/** Every family of the page by name, in the order they appear; throws ExpositionError on the first violation. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError(text.split('\n').length, 'the last line must end with a line feed');
  const families = new Map<string, FamilyState>();
  let current: FamilyState | null = null;

  const enter = (family: FamilyState, line: number) => {
    if (current === family) return;
    if (family.closed) throw new ExpositionError(line, `lines of ${family.name} are not in one group: another family came in between`);
    if (current) current.closed = true;
    current = family;
  };
  const declared = (name: string, line: number): FamilyState => {
    let family = families.get(name);
    if (!family) {
      family = { name, type: 'untyped', samples: [], hasType: false, closed: false, series: new Set() };
      families.set(name, family);
    }
    enter(family, line);
    return family;
  };

  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) return readComment(raw, line);
    readSample(raw, line);
  });

  function readComment(raw: string, line: number): void {
    const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(raw);
    if (!match) return; // an ordinary comment
    const [, keyword, name, rest = ''] = match as unknown as [string, 'HELP' | 'TYPE', string, string | undefined];
    if (!METRIC_NAME.test(name)) throw new ExpositionError(line, `invalid metric name "${name}"`);
    const seen = families.get(name);
    if (seen && (keyword === 'HELP' ? seen.help !== undefined : seen.hasType)) throw new ExpositionError(line, `${keyword} for ${name} appears more than once`);
    if (seen && seen.samples.length > 0) throw new ExpositionError(line, `${keyword} for ${name} comes after its samples`);
    const family = declared(name, line);
    if (keyword === 'HELP') {
      family.help = unescape(rest, line, false);
      return;
    }
    const type = rest.trim() as MetricType;
    if (!TYPES.includes(type)) throw new ExpositionError(line, `unknown type "${rest.trim()}" for ${name}`);
    family.type = type;
    family.hasType = true;
  }

  function readSample(raw: string, line: number): void {
    const { name, labels, rest } = splitSample(raw, line);
    const tokens = rest.trim().split(/[ \t]+/);
    if (rest.length > 0 && !/^[ \t]/.test(rest)) throw new ExpositionError(line, 'a blank must separate the value from the name and labels');
    if (tokens.length < 1 || tokens.length > 2 || tokens[0] === '') throw new ExpositionError(line, 'expected a value and at most a timestamp');
    const [valueText, timestampText] = tokens as [string, string | undefined];
    if (!FLOAT.test(valueText)) throw new ExpositionError(line, `invalid value "${valueText}"`);
    if (timestampText !== undefined && !TIMESTAMP.test(timestampText)) throw new ExpositionError(line, `invalid timestamp "${timestampText}"`);

    const family = familyOf(name, line);
    checkSampleName(family, name, labels, line);
    const series = `${name}{${Object.keys(labels)
      .sort()
      .map((key) => `${key}=${JSON.stringify(labels[key])}`)
      .join(',')}}`;
    if (family.series.has(series)) throw new ExpositionError(line, `duplicate series ${series}`);
    family.series.add(series);
    family.samples.push({ name, labels, value: toNumber(valueText), line, ...(timestampText ? { timestamp: Number(timestampText) } : {}) });
  }

  function familyOf(name: string, line: number): FamilyState {
    const own = families.get(name);
    if (own?.hasType) return declared(name, line);
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!name.endsWith(suffix)) continue;
      const base = families.get(name.slice(0, -suffix.length));
      if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return declared(base.name, line);
    }
    return declared(name, line);
  }

  for (const family of families.values()) checkFamily(family);
  return new Map([...families].map(([name, { hasType: _t, closed: _c, series: _s, ...family }]) => [name, family]));
}

function checkSampleName(family: FamilyState, name: string, labels: Record<string, string>, line: number): void {
  if (family.type === 'histogram') {
    if (name === family.name) throw new ExpositionError(line, `histogram ${family.name} has a sample without _bucket, _sum or _count`);
    if (name.endsWith('_bucket') !== ('le' in labels)) throw new ExpositionError(line, `${name}: only a histogram's _bucket samples carry "le"`);
    if ('le' in labels && !FLOAT.test(labels.le!)) throw new ExpositionError(line, `${name}: le="${labels.le}" is not a number`);
  } else if (family.type === 'summary') {
    if ((name === family.name) !== ('quantile' in labels)) throw new ExpositionError(line, `${name}: only a summary's plain samples carry "quantile"`);
  } else if (name !== family.name) {
    throw new ExpositionError(line, `sample ${name} does not belong to ${family.type} ${family.name}`);
  } else if ('le' in labels || (family.type === 'counter' && 'quantile' in labels)) {
    throw new ExpositionError(line, `${name}: "le" belongs to histograms only`);
  }
}

function checkFamily(family: FamilyState): void {
  const first = family.samples[0]?.line ?? 0;
  if (family.type === 'counter') {
    if (!family.name.endsWith('_total')) throw new ExpositionError(first, `counter ${family.name} must be named …_total`);
    const negative = family.samples.find((sample) => sample.value < 0);
    if (negative) throw new ExpositionError(negative.line, `counter ${family.name} is negative`);
  }
  if (family.type === 'histogram') checkHistogram(family);
  if (family.type === 'summary') checkSummary(family);
}

function checkHistogram(family: FamilyState): void {
  const groups = groupByLabels(family, 'le');
  for (const [key, samples] of groups) {
    const buckets = samples
      .filter((sample) => sample.name === `${family.name}_bucket`)
      .map((sample) => ({ le: toNumber(sample.labels.le!), sample }))
      .sort((a, b) => a.le - b.le);
    const where = samples[0]!.line;
    const infinite = buckets.find((bucket) => bucket.le === Number.POSITIVE_INFINITY);
    if (!infinite) throw new ExpositionError(where, `histogram ${family.name}${key} has no le="+Inf" bucket`);
    for (let i = 1; i < buckets.length; i += 1) {
      if (buckets[i]!.sample.value < buckets[i - 1]!.sample.value) throw new ExpositionError(buckets[i]!.sample.line, `histogram ${family.name}${key}: buckets are not cumulative`);
    }
    const count = samples.find((sample) => sample.name === `${family.name}_count`);
    const sum = samples.find((sample) => sample.name === `${family.name}_sum`);
    if (!count || !sum) throw new ExpositionError(where, `histogram ${family.name}${key} lacks _sum or _count`);
    if (count.value !== infinite.sample.value) throw new ExpositionError(count.line, `histogram ${family.name}${key}: _count differs from the +Inf bucket`);
  }
}

function checkSummary(family: FamilyState): void {
  for (const [key, samples] of groupByLabels(family, 'quantile')) {
    const names = new Set(samples.map((sample) => sample.name));
    if (!names.has(`${family.name}_sum`) || !names.has(`${family.name}_count`)) {
      throw new ExpositionError(samples[0]!.line, `summary ${family.name}${key} lacks _sum or _count`);
    }
  }
}

/** The family's samples by their labels without `except` (one histogram or summary per group). */
function groupByLabels(family: FamilyState, except: string): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const key = `{${Object.keys(sample.labels)
      .filter((name) => name !== except)
      .sort()
      .map((name) => `${name}=${JSON.stringify(sample.labels[name])}`)
      .join(',')}}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  return groups;
}

/** `name{labels}` at the start of a sample line, and what follows it. */
function splitSample(raw: string, line: number): { name: string; labels: Record<string, string>; rest: string } {
  const nameMatch = /^[^\s{]+/.exec(raw);
  const name = nameMatch?.[0] ?? '';
  if (!METRIC_NAME.test(name)) throw new ExpositionError(line, `invalid metric name "${name}"`);
  let at = name.length;
  const labels: Record<string, string> = {};
  if (raw[at] !== '{') return { name, labels, rest: raw.slice(at) };
  at += 1;
  const blanks = () => {
    while (raw[at] === ' ' || raw[at] === '\t') at += 1;
  };
  blanks();
  while (raw[at] !== '}') {
    const labelMatch = /^[^=\s]*/.exec(raw.slice(at));
    const label = labelMatch?.[0] ?? '';
    if (!LABEL_NAME.test(label)) throw new ExpositionError(line, `invalid label name "${label}"`);
    if (label.startsWith('__')) throw new ExpositionError(line, `label name "${label}" is reserved`);
    if (label in labels) throw new ExpositionError(line, `label "${label}" appears twice`);
    at += label.length;
    if (raw[at] !== '=' || raw[at + 1] !== '"') throw new ExpositionError(line, `label ${label} must be followed by ="…"`);
    at += 2;
    let value = '';
    for (;;) {
      const char = raw[at];
      if (char === undefined) throw new ExpositionError(line, `the value of label ${label} is not closed`);
      if (char === '"') break;
      if (char === '\\') {
        const next = raw[at + 1];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else throw new ExpositionError(line, `invalid escape "\\${next ?? ''}" in the value of label ${label}`);
        at += 2;
      } else {
        value += char;
        at += 1;
      }
    }
    labels[label] = value;
    at += 1;
    if (raw[at] === ',') {
      at += 1;
      blanks();
    } else if (raw[at] !== '}') {
      throw new ExpositionError(line, `expected "," or "}" after label ${label}`);
    }
  }
  return { name, labels, rest: raw.slice(at + 1) };
}

function toNumber(text: string): number {
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  const infinite = /^([+-]?)inf(inity)?$/i.exec(text);
  if (infinite) return infinite[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return Number(text);
}

/** HELP text: only `\\` and `\n` are escapes. */
function unescape(text: string, line: number, quotes: boolean): string {
  return text.replace(/\\(.?)/g, (_match, next: string) => {
    if (next === '\\') return '\\';
    if (next === 'n') return '\n';
    if (quotes && next === '"') return '"';
    throw new ExpositionError(line, `invalid escape "\\${next}" in HELP`);
  });
}

/** The samples of a family whose labels include `labels`. */
export function samplesOf(families: Map<string, MetricFamily>, family: string, labels: Record<string, string> = {}, name = family): Sample[] {
  return (families.get(family)?.samples ?? []).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

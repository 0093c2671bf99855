/**
 * What an alert says, in words. The API has no message field: clients compose one per
 * `alertContext["@class"]` from that class's fields (datto-rmm-facts.md §2.2, as
 * aaronengels/DattoRMM's Add-DrmmAlertMessage does). Classes nobody has documented yet fall back
 * to the class name made readable and the first line of the diagnostics.
 */
import type { DattoAlertContext } from './answers';

type Fields = (name: string) => string;
type Summary = (field: Fields, context: DattoAlertContext) => string;

/** A context value as text; '' for anything absent or not a scalar. */
function scalar(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** `NOT_RUNNING` → `not running`, `OutOfDate` → `out of date`: Datto's enum values as words. */
export function readable(value: string): string {
  return value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

function words(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

const RESOURCES: Record<string, string> = { CPU: 'CPU', MEMORY: 'Memory', SNMP_THROUGHPUT: 'SNMP throughput' };

function resource(type: string): string {
  if (type === '') return 'Resource';
  const name = RESOURCES[type.toUpperCase()] ?? readable(type);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function diskFree(field: Fields): string {
  const free = field('freeSpace');
  if (free === '') return '';
  const unit = field('unitOfMeasure');
  if (unit.toUpperCase() === 'PERCENT') return `(${free}% free)`;
  const total = field('totalVolume');
  const inUnit = (amount: string) => words(amount, unit);
  return total === '' ? `(${inUnit(free)} free)` : `(${inUnit(free)} free of ${inUnit(total)})`;
}

function samples(context: DattoAlertContext): Array<[string, string]> {
  const value = context.samples;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([label, sample]) => [label.trim(), scalar(sample)]);
}

function reasons(context: DattoAlertContext): string {
  return Array.isArray(context.reasons) ? context.reasons.map(scalar).filter((reason) => reason !== '').join(', ') : '';
}

const SUMMARIES: Record<string, Summary> = {
  online_offline_status_ctx: (field) => `Device ${readable(field('status')) || 'offline'}`,
  perf_disk_usage_ctx: (field) => words(`Low disk space on ${field('diskName') || 'a disk'}`, diskFree(field)),
  perf_resource_usage_ctx: (field) => words(`${resource(field('type'))} usage`, field('percentage') && `at ${field('percentage')}%`),
  process_resource_usage_ctx: (field) => words(`Process ${field('processName')}`, `${resource(field('type')).toLowerCase()} usage`, field('sample') && `at ${field('sample')}`),
  srvc_resource_usage_ctx: (field) => words(`Service ${field('serviceName')}`, `${resource(field('type')).toLowerCase()} usage`, field('sample') && `at ${field('sample')}`),
  process_status_ctx: (field) => words(`Process ${field('processName')}`, field('status') ? `is ${readable(field('status'))}` : 'status changed'),
  srvc_status_ctx: (field) => words(`Service ${field('serviceName')}`, field('status') ? `is ${readable(field('status'))}` : 'status changed'),
  eventlog_ctx: (field) => {
    const event = words(field('source'), 'event', field('code'));
    const where = field('logName') ? `${field('logName')} log: ${event}` : event;
    const said = firstLine(field('description'));
    return said === '' ? where : `${where}: ${said}`;
  },
  antivirus_ctx: (field) => `${field('productName') || 'Antivirus'}: ${readable(field('status')) || 'status alert'}`,
  patch_ctx: (field) => {
    const what = `Patch ${readable(field('result')) || 'alert'}`;
    return field('info') ? `${what}: ${field('info')}` : what;
  },
  ping_ctx: (field, context) => words(`Ping to ${field('instanceName') || 'the device'} failed`, reasons(context) && `(${reasons(context)})`),
  fs_object_ctx: (field) => words(field('objectType') ? capitalised(readable(field('objectType'))) : 'File', field('path'), readable(field('condition')), field('threshold')),
  sw_action_ctx: (field) => words('Software', field('packageName'), field('version'), readable(field('actionType'))),
  comp_script_ctx: (_field, context) => samples(context).map(([label, sample]) => (sample === '' ? label : `${label}: ${sample}`)).join(', '),
  perf_mon_ctx: (field) => words('Performance counter', field('value') && `at ${field('value')}`),
  wmi_ctx: (field) => words('WMI value', field('value')),
  sec_management_ctx: (field) => {
    if (field('virusName')) return words(`Threat ${field('virusName')} found`, field('infectedFiles') && `(${field('infectedFiles')} infected files)`);
    if (field('productNotUpdatedForDays')) return `Security product not updated for ${field('productNotUpdatedForDays')} days`;
    return `Security product ${readable(field('status')) || 'alert'}`;
  },
};

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function firstLine(text: string | null | undefined): string {
  return (text ?? '').split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '') ?? '';
}

/** Classes whose name reads badly as words. */
const CLASS_NAMES: Record<string, string> = { comp_script_ctx: 'Component monitor' };

/** `disk_health_ctx` → `Disk health alert`. */
function classLabel(alertClass: string): string {
  const name = CLASS_NAMES[alertClass] ?? capitalised(readable(alertClass.replace(/_ctx$/, '')));
  return `${name || 'Datto RMM'} alert`;
}

/** One line saying what the alert is about, from its context; the diagnostics' first line where the context says nothing. */
export function alertSummary(context: DattoAlertContext | null | undefined, diagnostics: string | null | undefined): string {
  const alertClass = context?.['@class'] ?? '';
  const compose = context ? SUMMARIES[alertClass] : undefined;
  const composed = compose && context ? compose((name) => scalar(context[name]), context).replace(/\s+/g, ' ').trim() : '';
  if (composed !== '') return composed;
  const said = firstLine(diagnostics);
  const label = classLabel(alertClass);
  return said === '' ? label : `${label}: ${said}`;
}

/**
 * The same device and the same monitored thing (datto-rmm-facts.md §6, "Recurrence key"): a
 * monitor that resolves and fires again raises a new alertUid, so recurrence is recognised by
 * `deviceUid` + `@class` + the fields that tell one monitored object of the class from another.
 * Classes without such fields, and classes nobody has documented, have one object per device.
 */
import { createHash } from 'node:crypto';
import type { DattoAlert, DattoAlertContext } from './answers';

const OBJECT_FIELDS: Record<string, readonly string[]> = {
  perf_disk_usage_ctx: ['diskName'],
  perf_resource_usage_ctx: ['type'],
  process_status_ctx: ['processName'],
  process_resource_usage_ctx: ['processName', 'type'],
  srvc_status_ctx: ['serviceName'],
  srvc_resource_usage_ctx: ['serviceName', 'type'],
  eventlog_ctx: ['logName', 'code', 'source'],
  ping_ctx: ['instanceName'],
  fs_object_ctx: ['path'],
  sw_action_ctx: ['packageName'],
};

/** RmmTicket.recurrenceKey's limit. */
const KEY_MAX = 500;

function value(context: DattoAlertContext, field: string): string {
  const raw = context[field];
  return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw).trim() : '';
}

/** A component monitor's object is the set of sample labels its script reports. */
function sampleLabels(context: DattoAlertContext): string {
  const samples = context.samples;
  if (typeof samples !== 'object' || samples === null || Array.isArray(samples)) return '';
  return Object.keys(samples).sort().join(',');
}

function objectOf(context: DattoAlertContext): string[] {
  const alertClass = context['@class'];
  if (alertClass === 'comp_script_ctx') return [`samples=${sampleLabels(context)}`];
  return (OBJECT_FIELDS[alertClass] ?? []).map((field) => `${field}=${value(context, field)}`);
}

/** null when the alert names no device: nothing to recur on. */
export function recurrenceKey(alert: DattoAlert): string | null {
  const device = alert.alertSourceInfo.deviceUid?.trim();
  if (!device) return null;
  const context = alert.alertContext;
  const parts = [device, context?.['@class'] ?? '', ...(context ? objectOf(context) : [])];
  const key = parts.join('|');
  if (key.length <= KEY_MAX) return key;
  // A very long path or label set still needs a bounded key; the device and class stay readable.
  return `${parts.slice(0, 2).join('|')}|sha256=${createHash('sha256').update(key).digest('hex')}`;
}

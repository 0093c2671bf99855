/**
 * What an alert says in words, as the webhook's `[alert_message]` carries it. The API has no such
 * field: Datto composes it per `@class` (facts §2.2), so the simulator does too, from the context
 * fields measured on live data. Unknown classes fall back to the class name.
 */
import type { AlertContext } from './model';

type Composer = (context: AlertContext) => string;

function text(value: unknown, fallback = '?'): string {
  if (value === null || value === undefined || value === '') return fallback;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const COMPOSERS: Record<string, Composer> = {
  online_offline_status_ctx: (c) => `Device is ${text(c.status, 'OFFLINE').toLowerCase()}`,
  perf_disk_usage_ctx: (c) =>
    `Disk usage on ${text(c.diskName)}: ${text(c.freeSpace)}${c.unitOfMeasure === 'PERCENT' ? '%' : ' GB'} free of ${text(c.totalVolume)} GB`,
  perf_resource_usage_ctx: (c) => `${text(c.type, 'CPU')} usage at ${text(c.percentage)}%`,
  process_resource_usage_ctx: (c) => `Process ${text(c.processName)} ${text(c.type, 'CPU')} usage at ${text(c.sample)}`,
  srvc_resource_usage_ctx: (c) => `Service ${text(c.serviceName)} ${text(c.type, 'CPU')} usage at ${text(c.sample)}`,
  process_status_ctx: (c) => `Process ${text(c.processName)} is ${text(c.status).toLowerCase()}`,
  srvc_status_ctx: (c) => `Service ${text(c.serviceName)} is ${text(c.status).toLowerCase()}`,
  eventlog_ctx: (c) => `Event log ${text(c.logName)}: ${text(c.source)} ${text(c.code)} - ${text(c.description, '')}`.trim(),
  antivirus_ctx: (c) => `${text(c.productName, 'Antivirus')}: ${text(c.status)}`,
  patch_ctx: (c) => `Patch ${text(c.result)}: ${text(c.info, '')}`.trim(),
  ping_ctx: (c) => `Ping ${text(c.instanceName)} failed${Array.isArray(c.reasons) && c.reasons.length > 0 ? `: ${c.reasons.join(', ')}` : ''}`,
  fs_object_ctx: (c) => `${text(c.objectType, 'File')} ${text(c.path)} ${text(c.condition, '')} ${text(c.threshold, '')}`.replace(/\s+/g, ' ').trim(),
  sw_action_ctx: (c) => `Software ${text(c.packageName)} ${text(c.version, '')} ${text(c.actionType, '')}`.replace(/\s+/g, ' ').trim(),
  comp_script_ctx: (c) => {
    const samples = typeof c.samples === 'object' && c.samples !== null ? Object.entries(c.samples as Record<string, unknown>) : [];
    return samples.length === 0 ? 'Component monitor alert' : samples.map(([label, value]) => `${label}: ${text(value)}`).join(', ');
  },
  perf_mon_ctx: (c) => `Performance counter at ${text(c.value)}`,
  wmi_ctx: (c) => `WMI value ${text(c.value)}`,
};

export function alertMessage(context: AlertContext): string {
  const compose = COMPOSERS[context['@class']];
  return compose ? compose(context) : `${context['@class']} alert`;
}

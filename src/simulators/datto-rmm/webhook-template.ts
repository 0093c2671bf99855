/**
 * Datto RMM webhooks are free-text templates with `[variable]` placeholders that the MSP pastes
 * into a monitor or the global webhook settings, one for "triggered" and an optional one for
 * "resolved" (facts §3). These are the templates the connector's README gives the MSP.
 */
import { DATTO_WEBHOOK_TEMPLATES } from '../../datto-rmm/webhook';
import type { SimAlert } from './model';

export type WebhookEvent = 'triggered' | 'resolved';

/** The connector's own templates (its README shows them): the simulator sends what an MSP pasted. */
export const DEFAULT_TEMPLATES: Readonly<Record<WebhookEvent, string>> = DATTO_WEBHOOK_TEMPLATES;

/** The placeholders the simulator fills (spellings from working public templates, rmm-facts §A.7). */
export function templateVariables(alert: SimAlert, message: string, platform: string): Record<string, string> {
  const source = alert.alertSourceInfo;
  return {
    alert_uid: alert.alertUid,
    alertuid: alert.alertUid,
    alert_priority: alert.priority,
    alert_message: message,
    alert_type: alert.alertContext['@class'],
    platform,
    site_uid: source.siteUid,
    site_name: source.siteName,
    sitename: source.siteName,
    device_uid: source.deviceUid,
    device_hostname: source.deviceName,
    timestamp: new Date(alert.timestamp).toISOString(),
  };
}

/**
 * Replaces each known `[variable]`; unknown ones stay as typed. Values are JSON-string-escaped
 * unless `raw` (what Datto does with a quote in a message is undocumented: `raw` sends it verbatim,
 * which can break the JSON, as a plain text substitution would).
 */
export function fillTemplate(template: string, variables: Record<string, string>, raw = false): string {
  return template.replace(/\[([a-z_]+)\]/g, (placeholder, name: string) => {
    const value = variables[name];
    if (value === undefined) return placeholder;
    return raw ? value : JSON.stringify(value).slice(1, -1);
  });
}

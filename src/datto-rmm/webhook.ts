/**
 * What Datto RMM's webhooks bring (contract: "Events in"). Datto cannot sign a delivery, so the
 * connector's secret travels with it and is compared in constant time. Only `alertUid` is
 * relied on; the rest of the template the MSP pasted is a hint (the worker re-reads the alert).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const dattoWebhookSchema = z.looseObject({
  alertUid: z.guid(),
  event: z.enum(['triggered', 'resolved']).optional(),
  schema: z.string().optional(),
  platform: z.string().optional(),
  priority: z.string().optional(),
  siteUid: z.string().optional(),
  deviceUid: z.string().optional(),
  message: z.string().optional(),
});
export type DattoWebhook = z.infer<typeof dattoWebhookSchema>;

/** Both sides are hashed first, so neither the comparison's time nor its refusal of unequal lengths tells anything about the secret. */
export function webhookSecretMatches(expected: string, presented: string | undefined): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const same = timingSafeEqual(digest(expected), digest(presented ?? ''));
  return same && expected.length > 0 && presented !== undefined;
}

/**
 * What the MSP pastes into Datto RMM (Setup › Integrations › Global Webhooks, or a monitor's
 * webhook response), one payload for a triggered alert and one for a resolved one. Every value is a
 * plain `[variable]`, so the JSON survives whatever Datto substitutes; only `alertUid` is relied on.
 */
export const DATTO_WEBHOOK_TEMPLATES: Readonly<Record<'triggered' | 'resolved', string>> = Object.freeze({
  triggered: template('triggered'),
  resolved: template('resolved'),
});

function template(event: 'triggered' | 'resolved'): string {
  return (
    `{ "schema": "datto-rmm/1", "event": "${event}", "alertUid": "[alert_uid]", "platform": "[platform]",\n` +
    '  "priority": "[alert_priority]", "siteUid": "[site_uid]", "deviceUid": "[device_uid]", "message": "[alert_message]" }'
  );
}

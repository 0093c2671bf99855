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

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Autotask's webhook signature: `X-Hook-Signature: sha1=<base64 HMAC-SHA1(secretKey, raw body)>`.
 * Always over the bytes received: Autotask escapes non-ASCII and `& < > ' " + \`` as \uXXXX, so a
 * re-serialised body would not match.
 */
export function signAutotaskPayload(secret: string, rawBody: Buffer | string): string {
  return `sha1=${createHmac('sha1', secret).update(rawBody).digest('base64')}`;
}

export function verifyAutotaskSignature(secret: string, header: string | undefined, rawBody: Buffer): boolean {
  if (!header) return false;
  const match = /^sha1=([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!match) return false;
  const presented = Buffer.from(match[1]!, 'base64');
  const expected = createHmac('sha1', secret).update(rawBody).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Credentials must never leave through an error message, a cause or a log line (contract: secrets are write-only). */

export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

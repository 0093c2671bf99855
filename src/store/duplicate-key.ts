/** MongoDB's duplicate-key error, as both MongoDB and the wire-protocol stand-in report it. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

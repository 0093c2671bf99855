import type { Connector } from './configuration';

/**
 * The connectors this process works for, read from MongoDB and decrypted once, then kept until
 * they change. Whoever saves a connector announces it (Redis pub/sub, wired in src/runtime.ts) and
 * every process forgets its copy; the time limit covers an announcement lost in a reconnect.
 */
export class ConnectorDirectory {
  private readonly entries = new Map<string, { value: Promise<Connector | null>; until: number }>();

  constructor(
    private readonly load: (connectorId: string) => Promise<Connector | null>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(connectorId: string): Promise<Connector | null> {
    const cached = this.entries.get(connectorId);
    if (cached && cached.until > this.now()) return cached.value;
    // Concurrent readers share one load; a failed load is not kept.
    const value = this.load(connectorId);
    const entry = { value, until: this.now() + this.ttlMs };
    this.entries.set(connectorId, entry);
    value.catch(() => {
      if (this.entries.get(connectorId) === entry) this.entries.delete(connectorId);
    });
    return value;
  }

  /** Forgets one connector (or all): the next `get` reads MongoDB. */
  invalidate(connectorId?: string): void {
    if (connectorId === undefined) this.entries.clear();
    else this.entries.delete(connectorId);
  }
}

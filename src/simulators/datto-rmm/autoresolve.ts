/**
 * `autoresolveMins`: "the number of minutes after which the alert will be automatically resolved
 * if not resolved manually" (DattoRMM.Core `DRMMAlert.psm1`, facts §6). The simulator takes that
 * reading literally; the minute is configurable so tests need not wait sixty seconds.
 */

export class AutoResolver {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    public minuteMs: number,
    private readonly resolve: (alertUid: string) => void,
  ) {}

  schedule(alertUid: string, minutes: number | null): void {
    if (minutes === null || minutes <= 0) return;
    this.cancel(alertUid);
    const timer = setTimeout(() => {
      this.timers.delete(alertUid);
      this.resolve(alertUid);
    }, minutes * this.minuteMs);
    timer.unref();
    this.timers.set(alertUid, timer);
  }

  cancel(alertUid: string): void {
    const timer = this.timers.get(alertUid);
    if (timer) clearTimeout(timer);
    this.timers.delete(alertUid);
  }

  /** Alerts still waiting to resolve themselves. */
  pending(): string[] {
    return [...this.timers.keys()];
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

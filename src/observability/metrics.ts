/**
 * A small Prometheus text registry: counters with labels. Enough for the connector's own numbers;
 * BullMQ's queue gauges are appended by the /metrics route.
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();

  counter(name: string, help: string): (labels?: Record<string, string>, by?: number) => void {
    const entry = this.counters.get(name) ?? { help, values: new Map<string, number>() };
    this.counters.set(name, entry);
    return (labels = {}, by = 1) => {
      const key = Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      entry.values.set(key, (entry.values.get(key) ?? 0) + by);
    };
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

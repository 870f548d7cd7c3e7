/** The latest observed value of a metric per source (for destination policies), in data time. */
export class LatestValues {
  private readonly values = new Map<string, { ts: number; value: number }>();

  observe(source: string, metric: string, ts: number, value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    const k = `${source}|${metric}`;
    const cur = this.values.get(k);
    if (!cur || ts >= cur.ts) this.values.set(k, { ts, value });
  }

  get(source: string, metric: string): number | undefined {
    return this.values.get(`${source}|${metric}`)?.value;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Latencies (ms) per label, summarised as count, p50 and p99. */
export class Latencies {
  private readonly byLabel = new Map<string, number[]>();

  add(label: string, ms: number): void {
    const list = this.byLabel.get(label) ?? [];
    list.push(ms);
    this.byLabel.set(label, list);
  }

  rows(): { label: string; count: number; p50: number; p99: number }[] {
    return [...this.byLabel].map(([label, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { label, count: xs.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
  }
}

/** Usage values in the forms metrics-server serves them: CPU in nano-cores (`123456n`), memory in `Ki`. */

export function cpuQuantity(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  return n === 0 ? '0' : `${n}n`;
}

export function memoryQuantity(bytes: number): string {
  const b = Math.max(0, Math.round(bytes));
  if (b === 0) return '0';
  return b % 1024 === 0 ? `${b / 1024}Ki` : String(b);
}

/** A Go time.Duration string for a window: `15s`, `1.005s`, `500ms`. */
export function goDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  if (seconds < 1) return `${Number((seconds * 1000).toFixed(3))}ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(9))}s`;
  const m = Math.floor(seconds / 60);
  const rest = seconds - m * 60;
  const h = Math.floor(m / 60);
  const mm = m % 60;
  return `${h ? `${h}h` : ''}${h || mm ? `${mm}m` : ''}${Number(rest.toFixed(9))}s`;
}

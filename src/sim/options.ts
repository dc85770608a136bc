/** What `skiff sim` is asked to simulate, and the parsers for its flags and annotations. */

export interface SimTaint {
  key: string;
  value?: string;
  effect: string;
}

export interface SimOptions {
  /** Path of the kubeconfig the simulator talks to the API with. */
  kubeconfig: string;
  /** How many nodes to register: `<namePrefix>0` … `<namePrefix><nodes-1>`. */
  nodes: number;
  namePrefix: string;
  /** Capacity (and allocatable) of every node, as quantities. */
  cpu: string;
  memory: string;
  pods: number;
  /** Extra labels and taints of every node. */
  labels: Record<string, string>;
  taints: SimTaint[];
  /** Delay between seeing a pod and reporting it Running (ms). */
  readyAfterMs: number;
  /** Lease renewal interval (ms); node status is posted every minute or on change. */
  heartbeatMs: number;
  /** Port of the loopback control endpoint (0 picks one); undefined: none. */
  controlPort?: number;
}

const effects = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** `k=v,k2=v2` (empty string: none). */
export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label ${JSON.stringify(item)}: want key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `key=value:Effect,key:Effect` (empty string: none). */
export function parseTaints(text: string | undefined): SimTaint[] {
  const out: SimTaint[] = [];
  for (const part of (text ?? '').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    const effect = colon < 0 ? '' : item.slice(colon + 1);
    if (!effects.has(effect))
      throw new Error(
        `invalid taint ${JSON.stringify(item)}: want key[=value]:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute`,
      );
    const kv = item.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (key === '') throw new Error(`invalid taint ${JSON.stringify(item)}: empty key`);
    out.push(eq < 0 ? { key, effect } : { key, value: kv.slice(eq + 1), effect });
  }
  return out;
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go-style duration (`3s`, `1.5s`, `500ms`, `1m30s`) in milliseconds; a bare number is
 * seconds. Undefined when the text is not one.
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (t === '' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

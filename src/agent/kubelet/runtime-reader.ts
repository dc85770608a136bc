/**
 * Reads one pod's sandboxes and containers from CRI, with the details (exit code, times,
 * termination message) of the instances the status shows. An exited instance never changes,
 * so its details are read once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { terminationLogPath } from './container-config.ts';
import type { CriContainer, KubeletCri } from './cri-types.ts';
import { type Instance, instanceOf, type PodRuntime, sortRuntime } from './runtime.ts';
import { podUidLabel } from './sandbox-config.ts';

const maxMessageBytes = 4096;
const fallbackLogBytes = 2048;
const fallbackLogLines = 80;

export class RuntimeReader {
  private readonly cri: KubeletCri;
  private readonly exited = new Map<string, Instance>();
  /** Termination messages of exited instances, by container ID. */
  readonly messages = new Map<string, string>();

  constructor(cri: KubeletCri) {
    this.cri = cri;
  }

  async read(uid: string, pod: V1Pod | undefined, podDir: string, logDir: string): Promise<PodRuntime> {
    const filter = { labelSelector: { [podUidLabel]: uid } };
    const [sandboxes, containers] = await Promise.all([
      this.cri.runtime.listPodSandbox({ filter }),
      this.cri.runtime.listContainers({ filter }),
    ]);
    const list = containers.containers ?? [];
    const byName = new Map<string, CriContainer[]>();
    for (const c of list) {
      const name = instanceOf(c).name;
      byName.set(name, [...(byName.get(name) ?? []), c]);
    }
    const instances: Instance[] = [];
    for (const group of byName.values()) {
      const sorted = group
        .map((c) => ({ c, i: instanceOf(c) }))
        .sort((a, b) => b.i.restartCount - a.i.restartCount || b.i.createdAt - a.i.createdAt);
      for (const [n, { c, i }] of sorted.entries()) {
        if (n >= 2) instances.push(i);
        else instances.push(await this.detail(c, pod, podDir, logDir));
      }
    }
    const live = new Set(list.map((c) => c.id));
    for (const id of this.exited.keys())
      if (!live.has(id)) {
        this.exited.delete(id);
        this.messages.delete(id);
      }
    return sortRuntime({ sandboxes: sandboxes.items ?? [], instances });
  }

  private async detail(
    c: CriContainer,
    pod: V1Pod | undefined,
    podDir: string,
    logDir: string,
  ): Promise<Instance> {
    const known = this.exited.get(c.id);
    if (known) return known;
    let inst: Instance;
    try {
      const r = await this.cri.runtime.containerStatus({ containerId: c.id });
      inst = instanceOf(c, r.status);
    } catch {
      return instanceOf(c);
    }
    if (inst.state === 'CONTAINER_EXITED') {
      this.exited.set(c.id, inst);
      const spec = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find(
        (s) => s.name === inst.name,
      );
      const message = await readTerminationMessage(
        terminationLogPath(podDir, inst.name, inst.restartCount),
        inst.exitCode !== 0 && spec?.terminationMessagePolicy === 'FallbackToLogsOnError'
          ? path.join(logDir, inst.name, `${inst.restartCount}.log`)
          : undefined,
      );
      if (message) this.messages.set(c.id, message);
    }
    return inst;
  }
}

/** The container's termination message file, else (when given) the tail of its log. */
export async function readTerminationMessage(file: string, fallbackLog?: string): Promise<string> {
  const text = await readHead(file, maxMessageBytes);
  if (text || !fallbackLog) return text;
  return logTail(await readHead(fallbackLog, 1 << 20));
}

async function readHead(file: string, max: number): Promise<string> {
  try {
    const h = await fs.open(file, 'r');
    try {
      const st = await h.stat();
      const size = Math.min(st.size, max);
      const buf = Buffer.alloc(size);
      // Logs: their end matters; messages: their start.
      const at = max === maxMessageBytes ? 0 : Math.max(0, st.size - size);
      await h.read(buf, 0, size, at);
      return buf.toString('utf8');
    } finally {
      await h.close();
    }
  } catch {
    return '';
  }
}

/** The last lines of a CRI log file, without the `<time> <stream> <tag> ` prefixes. */
export function logTail(text: string): string {
  const lines = text.split('\n').filter((l) => l.length > 0);
  let out = '';
  for (const l of lines.slice(-fallbackLogLines)) {
    const m = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(l);
    out += m ? (m[1] === 'P' ? m[2] : `${m[2]}\n`) : `${l}\n`;
  }
  return out.length > fallbackLogBytes ? out.slice(out.length - fallbackLogBytes) : out;
}

/** Facts about the machine an agent runs on, read from the kernel as a kubelet reads them. */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface HostFacts {
  readonly hostname: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly architecture: string;
}

const readTrimmed = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** MemTotal of /proc/meminfo in bytes (os.totalmem() says the same, from the same place). */
export function memTotalBytes(meminfo = readTrimmed('/proc/meminfo') ?? ''): number {
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : os.totalmem();
}

/** PRETTY_NAME of os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
export function osImage(osRelease = readTrimmed('/etc/os-release') ?? ''): string {
  const m = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(osRelease);
  return m ? (m[1] ?? m[2] ?? '').trim() : 'Linux';
}

const arch: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

export function readHostFacts(dataDir: string): HostFacts {
  let storage = 0;
  try {
    const s = statfsSync(dataDir);
    storage = s.blocks * s.bsize;
  } catch {}
  const machineID = readTrimmed('/etc/machine-id') ?? readTrimmed('/var/lib/dbus/machine-id') ?? '';
  return {
    hostname: os.hostname().toLowerCase(),
    cpus: os.availableParallelism(),
    memoryBytes: memTotalBytes(),
    ephemeralStorageBytes: storage,
    machineID,
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid')?.toLowerCase() ?? machineID,
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id') ?? '',
    kernelVersion: os.release(),
    osImage: osImage(),
    architecture: arch[process.arch] ?? process.arch,
  };
}

/** The address other nodes reach this one at: the first non-internal IPv4, else loopback. */
export function defaultNodeIp(interfaces = os.networkInterfaces()): string {
  for (const list of Object.values(interfaces))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

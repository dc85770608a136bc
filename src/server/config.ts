import os from 'node:os';
import path from 'node:path';

/** What the user gave (flags, config file), every field optional. */
export interface ServerOptions {
  dataDir?: string;
  datastoreEndpoint?: string;
}

/** Everything resolved: no optional fields left for the startup sequence to guess. */
export interface ServerConfig {
  readonly dataDir: string;
  readonly datastoreEndpoint: string;
}

/** /var/lib/skiff as root, ~/.skiff otherwise (as k3s does with /var/lib/rancher/k3s). */
export function defaultDataDir(uid = process.getuid?.() ?? 0, home = os.homedir()): string {
  return uid === 0 ? '/var/lib/skiff' : path.join(home, '.skiff');
}

export function compileServerConfig(options: ServerOptions): ServerConfig {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const datastoreEndpoint =
    options.datastoreEndpoint ?? `sqlite:${path.join(dataDir, 'server', 'db', 'state.db')}`;
  return { dataDir, datastoreEndpoint };
}

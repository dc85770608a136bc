import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { PRIVATE_FILE_MODE, writeFileAtomic } from './files.ts';

export interface KubeconfigParams {
  /** e.g. https://127.0.0.1:6443 */
  readonly server: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Name of the cluster and of the one context; k3s writes `default`. */
  readonly clusterName?: string;
  /** Name of the user entry; `default` unless given. */
  readonly user?: string;
}

/** A kubeconfig v1 with the CA, client certificate and key embedded, one context selected. */
export function renderKubeconfig(params: KubeconfigParams): string {
  const cluster = params.clusterName ?? 'default';
  const user = params.user ?? 'default';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server: params.server, 'certificate-authority-data': b64(params.caPem) } },
    ],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
    users: [
      {
        name: user,
        user: { 'client-certificate-data': b64(params.certPem), 'client-key-data': b64(params.keyPem) },
      },
    ],
  });
}

/**
 * Writes a kubeconfig atomically with mode 0600 (it holds a private key), creating its
 * directory. The file is replaced, so an older one with looser permissions ends up 0600 too.
 */
export async function writeKubeconfig(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, content, PRIVATE_FILE_MODE);
  await chmod(file, PRIVATE_FILE_MODE);
}

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

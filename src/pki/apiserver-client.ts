import type { ClientCa } from './issue.ts';
import { ensureLeafCertificate } from './leaf.ts';

/** The API server's own client identity towards node agents (logs, exec, attach, port-forward). */
export const APISERVER_KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';

export interface ApiserverClientCert {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Finds or makes `client-kube-apiserver-kubelet-client.crt/.key` in tlsDir: CN
 * kube-apiserver-kubelet-client, O system:masters, signed by the client CA (the CA node agents
 * trust for their streaming endpoint). Kept while still right, reissued near its end.
 */
export async function ensureApiserverClientCert(
  tlsDir: string,
  clientCa: ClientCa,
  now?: Date,
): Promise<ApiserverClientCert> {
  const issued = await ensureLeafCertificate(
    tlsDir,
    'client-kube-apiserver-kubelet-client',
    { certPem: clientCa.clientCaPem, keyPem: clientCa.clientCaKeyPem },
    {
      commonName: APISERVER_KUBELET_CLIENT_CN,
      organizations: ['system:masters'],
      usage: 'client',
      days: 365,
    },
    now ? { now } : {},
  );
  return { certPem: issued.certPem, keyPem: issued.keyPem };
}

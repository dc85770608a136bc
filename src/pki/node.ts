import path from 'node:path';
import { ensurePrivateDir } from './files.ts';
import type { CertificateRequest } from './issue.ts';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { ensureLeafCertificate } from './leaf.ts';
import { classifySans } from './sans.ts';
import type { ServerPki } from './server.ts';

/** What a node agent needs to talk to the API server and to serve its own endpoint. */
export interface NodeCredentials {
  /** `<agent tls dir>/../kubelet.kubeconfig`: system:node:<name> in system:nodes. */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  /** The agent's serving certificate (signed by the server CA) for its streaming endpoint. */
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
  /** The CA whose client certificates the agent's endpoint accepts (the API server's). */
  readonly clientCaPem: string;
  readonly serverCaPem: string;
}

export interface NodeCredentialsRequest {
  readonly nodeName: string;
  /** IPs and host names the agent's endpoint is reached at. */
  readonly addresses: readonly string[];
  /** The API server URL written into the kubeconfig. */
  readonly server: string;
  readonly now?: Date;
}

/** The node's client certificate: `system:node:<name>` in group `system:nodes`. */
export function nodeClientRequest(nodeName: string): CertificateRequest {
  return {
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    usage: 'client',
    days: 365,
  };
}

/** The node endpoint's serving certificate, for its name, loopback and its addresses. */
export function nodeServingRequest(nodeName: string, addresses: readonly string[]): CertificateRequest {
  return {
    commonName: nodeName,
    usage: 'server',
    sans: classifySans([nodeName, 'localhost', '127.0.0.1', ...addresses]),
    days: 365,
  };
}

/**
 * Issues (or keeps, while still right) the embedded agent's credentials from the server's own
 * CAs, as k3s does for its in-process agent: a client certificate `system:node:<name>` in group
 * `system:nodes` (written as a kubeconfig) and a serving certificate for the node's endpoint.
 */
export async function ensureNodeCredentials(
  pki: ServerPki,
  agentDir: string,
  request: NodeCredentialsRequest,
): Promise<NodeCredentials> {
  const tlsDir = path.join(agentDir, 'tls');
  await ensurePrivateDir(agentDir);
  await ensurePrivateDir(tlsDir);
  const options = request.now ? { now: request.now } : {};
  const clientCa = { certPem: pki.clientCaPem, keyPem: pki.clientCaKeyPem };
  const serverCa = { certPem: pki.serverCaPem, keyPem: pki.serverCaKeyPem };
  const client = await ensureLeafCertificate(
    tlsDir,
    'client-kubelet',
    clientCa,
    nodeClientRequest(request.nodeName),
    options,
  );
  const serving = await ensureLeafCertificate(
    tlsDir,
    'serving-kubelet',
    serverCa,
    nodeServingRequest(request.nodeName, request.addresses),
    { ...options, withChain: true },
  );
  const kubeconfig = renderKubeconfig({
    server: request.server,
    caPem: pki.serverCaPem,
    certPem: client.certPem,
    keyPem: client.keyPem,
  });
  const kubeconfigPath = path.join(agentDir, 'kubelet.kubeconfig');
  await writeKubeconfig(kubeconfigPath, kubeconfig);
  return {
    kubeconfigPath,
    kubeconfig,
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    clientCaPem: pki.clientCaPem,
    serverCaPem: pki.serverCaPem,
  };
}

import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from '../../pki/files.ts';
import { renderKubeconfig, writeKubeconfig } from '../../pki/kubeconfig.ts';
import type { IssuedNodeCredentials } from '../../server/join/credentials.ts';
import {
  CACERTS_PATH,
  CLUSTER_NETWORKS_PATH,
  type ClusterNetworks,
  NODE_CREDENTIALS_PATH,
} from '../../server/join/handler.ts';
import { caHash, parseToken } from '../../server/join/token.ts';
import type { AgentCredentials } from '../agent.ts';
import { httpsRequest } from './http.ts';

export interface JoinRequest {
  readonly server: string;
  readonly token: string;
  readonly nodeName: string;
  readonly addresses: readonly string[];
  readonly now?: Date;
}

/** A failure to join with a message meant for the operator. */
export class JoinError extends Error {}

const FILES = {
  clientCert: 'client-kubelet.crt',
  clientKey: 'client-kubelet.key',
  servingCert: 'serving-kubelet.crt',
  servingKey: 'serving-kubelet.key',
  serverCa: 'server-ca.crt',
  clientCa: 'client-ca.crt',
} as const;

const RENEW_MS = 30 * 86_400_000;

/** Checks that the server's CA bundle is the one the token names. */
export async function fetchVerifiedCa(server: URL, expectedHash: string | undefined): Promise<string> {
  const res = await httpsRequest(new URL(CACERTS_PATH, server), { method: 'GET' }).catch((e: Error) => {
    throw new JoinError(`cannot reach the server at ${server.origin}: ${e.message}`);
  });
  if (res.status !== 200 || !res.body.includes('BEGIN CERTIFICATE'))
    throw new JoinError(
      `${server.origin}${CACERTS_PATH} answered ${res.status}, not a CA bundle: is it a skiff server?`,
    );
  if (expectedHash !== undefined && caHash(res.body) !== expectedHash)
    throw new JoinError(
      `the server's CA (sha256 ${caHash(res.body)}) is not the one the token names (${expectedHash}): refusing to join`,
    );
  return res.body;
}

function stillGood(certPem: string, nodeName: string, caPem: string, now: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return (
      cert.subject.split('\n').includes(`CN=system:node:${nodeName}`) &&
      cert.checkIssued(new X509Certificate(caPem)) &&
      cert.verify(ca.publicKey) &&
      new Date(cert.validTo).getTime() - now.getTime() > RENEW_MS
    );
  } catch {
    return false;
  }
}

async function readSaved(tlsDir: string): Promise<Record<keyof typeof FILES, string> | undefined> {
  const out: Partial<Record<keyof typeof FILES, string>> = {};
  for (const [k, f] of Object.entries(FILES)) {
    const text = await readIfExists(path.join(tlsDir, f));
    if (text === undefined) return undefined;
    out[k as keyof typeof FILES] = text;
  }
  return out as Record<keyof typeof FILES, string>;
}

/**
 * Credentials for `skiff agent`: reused from `<agentDir>/tls` when they are for this node,
 * were signed by the CA the server presents now and are far from expiry; otherwise fetched
 * from the server's node-credentials endpoint with the token, and saved.
 */
export async function joinServer(
  agentDir: string,
  request: JoinRequest,
): Promise<AgentCredentials & { networks: ClusterNetworks | undefined }> {
  let server: URL;
  try {
    server = new URL(request.server);
  } catch {
    throw new JoinError(`--server ${JSON.stringify(request.server)} is not a URL`);
  }
  if (server.protocol !== 'https:') throw new JoinError('--server must be an https:// URL');
  let token: ReturnType<typeof parseToken>;
  try {
    token = parseToken(request.token);
  } catch (e) {
    throw new JoinError((e as Error).message);
  }
  const serverCaPem = await fetchVerifiedCa(server, token.caHash);
  const tlsDir = path.join(agentDir, 'tls');
  await ensurePrivateDir(agentDir);
  await ensurePrivateDir(tlsDir);
  const now = request.now ?? new Date();
  const saved = await readSaved(tlsDir);
  let issued: Omit<IssuedNodeCredentials, 'nodeName'>;
  if (
    saved &&
    saved.serverCa === serverCaPem &&
    stillGood(saved.clientCert, request.nodeName, saved.clientCa, now)
  ) {
    issued = {
      clientCertPem: saved.clientCert,
      clientKeyPem: saved.clientKey,
      servingCertPem: saved.servingCert,
      servingKeyPem: saved.servingKey,
      serverCaPem: saved.serverCa,
      clientCaPem: saved.clientCa,
    };
  } else {
    issued = await requestCredentials(server, serverCaPem, token.secret, request);
    await writeFileAtomic(path.join(tlsDir, FILES.clientKey), issued.clientKeyPem);
    await writeFileAtomic(path.join(tlsDir, FILES.clientCert), issued.clientCertPem);
    await writeFileAtomic(path.join(tlsDir, FILES.servingKey), issued.servingKeyPem);
    await writeFileAtomic(path.join(tlsDir, FILES.servingCert), issued.servingCertPem);
    await writeFileAtomic(path.join(tlsDir, FILES.clientCa), issued.clientCaPem);
    await writeFileAtomic(path.join(tlsDir, FILES.serverCa), serverCaPem);
  }
  const kubeconfig = renderKubeconfig({
    server: server.origin,
    caPem: serverCaPem,
    certPem: issued.clientCertPem,
    keyPem: issued.clientKeyPem,
  });
  await writeKubeconfig(path.join(agentDir, 'kubelet.kubeconfig'), kubeconfig);
  return {
    networks: await requestNetworks(server, serverCaPem, token.secret),
    kubeconfig,
    servingCertPem: issued.servingCertPem,
    servingKeyPem: issued.servingKeyPem,
    clientCaPem: issued.clientCaPem,
  };
}

async function requestCredentials(
  server: URL,
  serverCaPem: string,
  secret: string,
  request: JoinRequest,
): Promise<IssuedNodeCredentials> {
  const res = await httpsRequest(new URL(NODE_CREDENTIALS_PATH, server), {
    method: 'POST',
    ca: serverCaPem,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ nodeName: request.nodeName, addresses: request.addresses }),
  }).catch((e: Error) => {
    throw new JoinError(`cannot reach the server at ${server.origin}: ${e.message}`);
  });
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {}
  if (res.status === 401)
    throw new JoinError(`the server refused the join token (401): ${body.message ?? ''}`.trim());
  if (res.status !== 200)
    throw new JoinError(
      `the server refused node credentials (${res.status}): ${body.message ?? res.body.slice(0, 200)}`,
    );
  for (const k of ['clientCertPem', 'clientKeyPem', 'servingCertPem', 'servingKeyPem', 'clientCaPem'])
    if (typeof body[k] !== 'string') throw new JoinError(`the server's answer lacks ${k}`);
  return body as unknown as IssuedNodeCredentials;
}

/**
 * The cluster's networks as the server was given them (--cluster-cidr, --service-cidr,
 * --cluster-dns, --cluster-domain), so a joining agent needs no such flags; asked for on every
 * join (they are not saved with the certificates). Undefined from a server that does not serve
 * them (404).
 */
async function requestNetworks(
  server: URL,
  ca: string,
  secret: string,
): Promise<ClusterNetworks | undefined> {
  const res = await httpsRequest(new URL(CLUSTER_NETWORKS_PATH, server), {
    method: 'GET',
    ca,
    headers: { authorization: `Bearer ${secret}` },
  }).catch((e: Error) => {
    throw new JoinError(`cannot reach the server at ${server.origin}: ${e.message}`);
  });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new JoinError(`the server refused the cluster networks (${res.status})`);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  for (const k of ['clusterCidr', 'serviceCidr', 'clusterDns', 'clusterDomain'])
    if (typeof body[k] !== 'string') throw new JoinError(`the server's cluster networks lack ${k}`);
  return body as unknown as ClusterNetworks;
}

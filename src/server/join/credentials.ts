import { isIP } from 'node:net';
import { issueCertificate } from '../../pki/issue.ts';
import { withNewline } from '../../pki/keys.ts';
import { nodeClientRequest, nodeServingRequest } from '../../pki/node.ts';
import type { ServerPki } from '../../pki/server.ts';

/** What `POST /v1-skiff/node-credentials` answers with (JSON). */
export interface IssuedNodeCredentials {
  readonly nodeName: string;
  /** system:node:<name> in system:nodes, signed by the client CA. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** The node endpoint's serving certificate followed by the server CA. */
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
  readonly serverCaPem: string;
  readonly clientCaPem: string;
}

export interface NodeCredentialsBody {
  readonly nodeName: string;
  readonly addresses: readonly string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks a request body; returns the reason it is refused, or the body. */
export function validateBody(body: unknown): NodeCredentialsBody | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const { nodeName, addresses } = body as Record<string, unknown>;
  if (typeof nodeName !== 'string' || nodeName.length > 253 || !DNS_SUBDOMAIN.test(nodeName))
    return `nodeName ${JSON.stringify(nodeName)} is not a DNS-1123 subdomain`;
  if (!Array.isArray(addresses) || addresses.length > 32)
    return 'addresses must be a list of up to 32 IPs or names';
  for (const a of addresses) {
    if (typeof a !== 'string' || (isIP(a) === 0 && !DNS_SUBDOMAIN.test(a)))
      return `address ${JSON.stringify(a)} is neither an IP nor a DNS name`;
  }
  return { nodeName, addresses: addresses as string[] };
}

/** Issues a node's certificates from the server's CAs (the requests of src/pki/node.ts). */
export async function issueNodeCredentials(
  pki: ServerPki,
  request: NodeCredentialsBody,
  now = new Date(),
): Promise<IssuedNodeCredentials> {
  const client = await issueCertificate(
    { certPem: pki.clientCaPem, keyPem: pki.clientCaKeyPem },
    nodeClientRequest(request.nodeName),
    now,
  );
  const serving = await issueCertificate(
    { certPem: pki.serverCaPem, keyPem: pki.serverCaKeyPem },
    nodeServingRequest(request.nodeName, request.addresses),
    now,
  );
  return {
    nodeName: request.nodeName,
    clientCertPem: client.certPem,
    clientKeyPem: client.keyPem,
    servingCertPem: serving.certPem + withNewline(pki.serverCaPem),
    servingKeyPem: serving.keyPem,
    serverCaPem: pki.serverCaPem,
    clientCaPem: pki.clientCaPem,
  };
}

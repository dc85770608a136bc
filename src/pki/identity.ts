/** Who a client certificate says it is, in Kubernetes terms. */
export interface CertificateIdentity {
  readonly user: string;
  readonly groups: string[];
}

/** The part of tls's getPeerCertificate() result that names the subject. */
export interface PeerCertificateSubject {
  readonly subject?: { readonly CN?: string | readonly string[]; readonly O?: string | readonly string[] };
}

/**
 * The user is the subject's CN and the groups its O entries, as kube-apiserver's x509
 * authenticator reads them. Node gives a repeated field as an array; a certificate with more
 * than one distinct CN names no single user and is refused, as is one with no CN. Returns
 * undefined when the peer sent no certificate (getPeerCertificate() then gives `{}`).
 */
export function identityFromCertificate(peer: PeerCertificateSubject): CertificateIdentity | undefined {
  const names = [...new Set(asList(peer.subject?.CN))];
  const user = names[0];
  if (names.length !== 1 || user === undefined || user === '') return undefined;
  return { user, groups: asList(peer.subject?.O).filter((o) => o !== '') };
}

function asList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

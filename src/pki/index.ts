export {
  CA_VALIDITY_DAYS,
  type CertificateAuthority,
  createCertificateAuthority,
  loadOrCreateCa,
} from './ca.ts';
export {
  type CertificateIdentity,
  identityFromCertificate,
  type PeerCertificateSubject,
} from './identity.ts';
export {
  type CertificateRequest,
  type CertificateUsage,
  type ClientCa,
  type ClientCertificateRequest,
  type IssuedCertificate,
  issueCertificate,
  issueClientCertificate,
} from './issue.ts';
export { type KubeconfigParams, renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
export { ensureLeafCertificate, isReusable, RENEW_BEFORE_DAYS } from './leaf.ts';
export {
  canonicalIp,
  classifySans,
  defaultSans,
  type HostInfo,
  normalizeSans,
  type Sans,
  sameSans,
} from './sans.ts';
export { ensureServerPki, LEAF_VALIDITY_DAYS, type ServerPki, type ServerPkiOptions } from './server.ts';

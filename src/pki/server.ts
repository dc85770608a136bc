import { loadOrCreateCa } from './ca.ts';
import { ensurePrivateDir } from './files.ts';
import { ensureLeafCertificate } from './leaf.ts';
import { normalizeSans, type Sans } from './sans.ts';

/** The API server's certificates and keys, PEM, as found or made in the TLS directory. */
export interface ServerPki {
  readonly tlsDir: string;
  /** server-ca.crt: signs serving certificates; clients trust it (kubeconfig CA data). */
  readonly serverCaPem: string;
  readonly serverCaKeyPem: string;
  /** client-ca.crt: signs client certificates; the API server trusts it for authentication. */
  readonly clientCaPem: string;
  readonly clientCaKeyPem: string;
  /** serving-kube-apiserver.crt: the leaf followed by the server CA. */
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
  /** client-admin.crt: system:admin in system:masters. */
  readonly adminCertPem: string;
  readonly adminKeyPem: string;
}

export interface ServerPkiOptions {
  /** Exactly the names the serving certificate carries; see defaultSans. */
  readonly sans: Sans;
  readonly now?: Date;
}

export const LEAF_VALIDITY_DAYS = 365;

/**
 * Finds or makes, in tlsDir, what k3s keeps in server/tls: two CAs made once and kept for
 * good, the kube-apiserver serving certificate (reissued when the SANs asked for change or it
 * nears its end) and the admin client certificate. Calling it again changes nothing that is
 * still right.
 */
export async function ensureServerPki(tlsDir: string, opts: ServerPkiOptions): Promise<ServerPki> {
  await ensurePrivateDir(tlsDir);
  const stamp = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const serverCa = await loadOrCreateCa(tlsDir, 'server-ca', `skiff-server-ca@${stamp}`);
  const clientCa = await loadOrCreateCa(tlsDir, 'client-ca', `skiff-client-ca@${stamp}`);
  const leafOptions = opts.now ? { now: opts.now } : {};
  const serving = await ensureLeafCertificate(
    tlsDir,
    'serving-kube-apiserver',
    serverCa,
    {
      commonName: 'kube-apiserver',
      usage: 'server',
      sans: normalizeSans(opts.sans),
      days: LEAF_VALIDITY_DAYS,
    },
    { ...leafOptions, withChain: true },
  );
  const admin = await ensureLeafCertificate(
    tlsDir,
    'client-admin',
    clientCa,
    {
      commonName: 'system:admin',
      organizations: ['system:masters'],
      usage: 'client',
      days: LEAF_VALIDITY_DAYS,
    },
    leafOptions,
  );
  return {
    tlsDir,
    serverCaPem: serverCa.certPem,
    serverCaKeyPem: serverCa.keyPem,
    clientCaPem: clientCa.certPem,
    clientCaKeyPem: clientCa.keyPem,
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
  };
}

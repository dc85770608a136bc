/**
 * Service-account JWTs as upstream's serviceaccount.Claims makes and checks them: RS256, issuer
 * https://kubernetes.default.svc.cluster.local, `sub` system:serviceaccount:<ns>:<name> and a
 * private `kubernetes.io` claim naming the namespace, service account and bound objects.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import type { ServiceAccountKey } from '../../pki/service-account-key.ts';

export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';
/** Tokens asked for with exactly this lifetime (the admission-injected volume's) are extended. */
export const extendedExpirationSeconds = 3607;
/** How long an extended token is really valid (upstream's one year). */
export const extendedLifetimeSeconds = 365 * 24 * 60 * 60;
/** Clock skew allowed on exp/nbf, go-jose's default leeway. */
const leewaySeconds = 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Set on extended tokens: the time the token would have expired without extension. */
  warnafter?: number;
}

export interface TokenSpec {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Unix seconds; now by default. */
  now?: number;
}

export interface SignedToken {
  token: string;
  /** What the TokenRequest reports: issued + the requested seconds (also for extended tokens). */
  expirationTimestamp: string;
}

export const serviceAccountUser = (namespace: string, name: string) =>
  `system:serviceaccount:${namespace}:${name}`;

export class ServiceAccountTokenSigner {
  readonly #key: ServiceAccountKey;
  readonly issuer: string;
  readonly #extend: boolean;

  constructor(key: ServiceAccountKey, options: { issuer?: string; extendExpiration?: boolean } = {}) {
    this.#key = key;
    this.issuer = options.issuer ?? defaultIssuer;
    this.#extend = options.extendExpiration ?? true;
  }

  async sign(spec: TokenSpec): Promise<SignedToken> {
    const iat = spec.now ?? Math.floor(Date.now() / 1000);
    const requestedExp = iat + spec.expirationSeconds;
    const extended =
      this.#extend && spec.pod !== undefined && spec.expirationSeconds === extendedExpirationSeconds;
    const k8s: KubernetesClaim = { namespace: spec.namespace, serviceaccount: spec.serviceAccount };
    if (spec.pod) k8s.pod = spec.pod;
    if (spec.secret) k8s.secret = spec.secret;
    if (spec.node) k8s.node = spec.node;
    if (extended) k8s.warnafter = requestedExp;
    const token = await new SignJWT({ 'kubernetes.io': k8s as unknown as Record<string, unknown> })
      .setProtectedHeader({ alg: 'RS256', kid: this.#key.keyId })
      .setIssuer(this.issuer)
      .setSubject(serviceAccountUser(spec.namespace, spec.serviceAccount.name))
      .setAudience(spec.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(extended ? iat + extendedLifetimeSeconds : requestedExp)
      .setJti(randomUUID())
      .sign(this.#key.privateKey);
    return {
      token,
      expirationTimestamp: new Date(requestedExp * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }
}

export interface VerifiedToken {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

/** Whether a bearer token looks like one of ours (a JWT with our issuer); cheap, no signature check. */
export function isServiceAccountJwt(token: string, issuer = defaultIssuer): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    return decodeJwt(token).iss === issuer;
  } catch {
    return false;
  }
}

function ref(v: unknown): ObjectRef | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.uid === 'string' ? { name: o.name, uid: o.uid } : undefined;
}

/**
 * Checks signature, issuer, audience (any of `audiences`), exp and nbf; returns the claims.
 * Throws with a reason for a token that is ours but invalid.
 */
export async function verifyServiceAccountJwt(
  token: string,
  key: ServiceAccountKey,
  audiences: string[],
  options: { issuer?: string; now?: number } = {},
): Promise<VerifiedToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      issuer: options.issuer ?? defaultIssuer,
      audience: audiences,
      algorithms: ['RS256'],
      clockTolerance: leewaySeconds,
      requiredClaims: ['exp', 'sub'],
      ...(options.now !== undefined ? { currentDate: new Date(options.now * 1000) } : {}),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new Error('service account token has expired');
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
      throw new Error('token audiences do not match the API audiences');
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new Error('invalid signature');
    throw new Error(`invalid service account token: ${(err as Error).message}`);
  }
  const k8s = payload['kubernetes.io'] as Record<string, unknown> | undefined;
  const namespace = typeof k8s?.namespace === 'string' ? k8s.namespace : '';
  const serviceAccount = ref(k8s?.serviceaccount);
  if (!namespace || !serviceAccount)
    throw new Error('token lacks the kubernetes.io namespace/serviceaccount claim');
  if (payload.sub !== serviceAccountUser(namespace, serviceAccount.name)) {
    throw new Error('token subject does not match its kubernetes.io claim');
  }
  const out: VerifiedToken = { namespace, serviceAccount };
  const pod = ref(k8s?.pod);
  const secret = ref(k8s?.secret);
  const node = ref(k8s?.node);
  if (pod) out.pod = pod;
  if (secret) out.secret = secret;
  if (node) out.node = node;
  return out;
}

/** An in-memory ObjectSource for tests: objects are plain maps the test edits. */
import type {
  V1ConfigMap,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Secret,
} from '@kubernetes/client-node';
import type { IssuedToken, ObjectSource, TokenRequestOptions } from './source.ts';

export interface TokenCall {
  namespace: string;
  serviceAccount: string;
  options: TokenRequestOptions;
}

export class FakeObjectSource implements ObjectSource {
  readonly configMaps = new Map<string, V1ConfigMap>();
  readonly secrets = new Map<string, V1Secret>();
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  readonly volumes = new Map<string, V1PersistentVolume>();
  readonly tokenCalls: TokenCall[] = [];
  /** Clock used for token expiry; tests may replace it. */
  now: () => number = () => Date.now();

  addConfigMap(
    namespace: string,
    name: string,
    data: Record<string, string>,
    binaryData?: Record<string, string>,
  ) {
    this.configMaps.set(`${namespace}/${name}`, { metadata: { namespace, name }, data, binaryData });
  }

  /** Stores a secret; `data` is given as plain text and kept base64-encoded as the API serves it. */
  addSecret(namespace: string, name: string, data: Record<string, string>) {
    const encoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    );
    this.secrets.set(`${namespace}/${name}`, { metadata: { namespace, name }, data: encoded });
  }

  async configMap(namespace: string, name: string) {
    return structuredClone(this.configMaps.get(`${namespace}/${name}`));
  }
  async secret(namespace: string, name: string) {
    return structuredClone(this.secrets.get(`${namespace}/${name}`));
  }
  async persistentVolumeClaim(namespace: string, name: string) {
    return structuredClone(this.claims.get(`${namespace}/${name}`));
  }
  async persistentVolume(name: string) {
    return structuredClone(this.volumes.get(name));
  }
  async serviceAccountToken(namespace: string, serviceAccount: string, options: TokenRequestOptions) {
    this.tokenCalls.push({ namespace, serviceAccount, options });
    const n = this.tokenCalls.length;
    const exp = new Date(this.now() + options.expirationSeconds * 1000);
    const token: IssuedToken = {
      token: `token-${n}-${namespace}-${serviceAccount}-${options.audience ?? 'api'}`,
      expirationTimestamp: exp.toISOString(),
    };
    return token;
  }
}

/**
 * POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token: a TokenRequest
 * (authentication.k8s.io/v1) answered with a signed JWT (upstream's TokenREST.Create).
 */
import { field, invalidError } from '../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { dryRun, type Reply, type ResourceRequest } from '../context.ts';
import type { ObjectRef, ServiceAccountTokenSigner, TokenSpec } from './jwt.ts';

export const defaultTokenExpirationSeconds = 3600;
const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;

export interface TokenRequestOptions {
  registry: Registry;
  signer: ServiceAccountTokenSigner;
  /** The API's audiences: a request naming none gets these. */
  audiences: string[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Validates the spec as upstream's ValidateTokenRequest; returns the defaulted spec. */
function parseSpec(name: string, body: Record<string, unknown>, apiAudiences: string[]) {
  const spec = isObject(body.spec) ? body.spec : {};
  const audiences = Array.isArray(spec.audiences)
    ? spec.audiences.filter((a): a is string => typeof a === 'string')
    : [];
  const expirationSeconds =
    spec.expirationSeconds === undefined || spec.expirationSeconds === null
      ? defaultTokenExpirationSeconds
      : spec.expirationSeconds;
  const errs = [];
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
    errs.push(field.invalid('spec.expirationSeconds', expirationSeconds, 'must be an integer'));
  } else if (expirationSeconds < minExpirationSeconds) {
    errs.push(
      field.invalid(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration less than 10 minutes',
      ),
    );
  } else if (expirationSeconds > maxExpirationSeconds) {
    errs.push(
      field.invalid(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration larger than 2^32 seconds',
      ),
    );
  }
  if (errs.length > 0) throw invalidError('TokenRequest', 'authentication.k8s.io', name, errs);
  const bound = isObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  return {
    audiences: audiences.length > 0 ? audiences : apiAudiences,
    expirationSeconds: expirationSeconds as number,
    boundObjectRef: bound
      ? {
          kind: str(bound.kind),
          apiVersion: str(bound.apiVersion),
          name: str(bound.name),
          uid: str(bound.uid),
        }
      : undefined,
  };
}

async function getObject(registry: Registry, plural: string, namespace: string | undefined, name: string) {
  return registry.byResource('', plural)!.get(namespace, name);
}

const refOf = (o: KubeObject): ObjectRef => ({ name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' });

export function tokenRequestHandler(options: TokenRequestOptions): (r: ResourceRequest) => Promise<Reply> {
  const { registry, signer } = options;
  return async (r) => {
    const namespace = r.info.namespace ?? '';
    const name = r.info.name ?? '';
    const body = decodeObjectBody(await readBody(r.req), r.req.headers['content-type']) as Record<
      string,
      unknown
    >;
    const spec = parseSpec(name, body, options.audiences);
    const sa = await r.store.get(namespace, name);

    const token: TokenSpec = {
      namespace,
      serviceAccount: refOf(sa),
      audiences: spec.audiences,
      expirationSeconds: spec.expirationSeconds,
    };
    const ref = spec.boundObjectRef;
    if (ref) {
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      let uid: string;
      if (group === '' && ref.kind === 'Pod') {
        const pod = await getObject(registry, 'pods', namespace, ref.name);
        const podSpec = isObject(pod.spec) ? pod.spec : {};
        if (str(podSpec.serviceAccountName) !== name) {
          throw statusErrors.badRequest(
            `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
          );
        }
        token.pod = refOf(pod);
        uid = token.pod.uid;
        const nodeName = str(podSpec.nodeName);
        if (nodeName) {
          const node = await getObject(registry, 'nodes', undefined, nodeName).catch(() => undefined);
          if (node) token.node = refOf(node);
        }
      } else if (group === '' && ref.kind === 'Secret') {
        token.secret = refOf(await getObject(registry, 'secrets', namespace, ref.name));
        uid = token.secret.uid;
      } else if (group === '' && ref.kind === 'Node') {
        token.node = refOf(await getObject(registry, 'nodes', undefined, ref.name));
        uid = token.node.uid;
      } else {
        throw statusErrors.badRequest(
          `cannot bind token to object of type ${group}/${ref.apiVersion.split('/').pop()}, Kind=${ref.kind}`,
        );
      }
      if (ref.uid && ref.uid !== uid) {
        throw statusErrors.conflict(
          { group, resource: ref.kind },
          ref.name,
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
    }

    const out: Record<string, unknown> = {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: {
        audiences: spec.audiences,
        expirationSeconds: spec.expirationSeconds,
        boundObjectRef: ref
          ? { kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, uid: ref.uid || undefined }
          : null,
      },
    };
    if (!dryRun(r.query)) {
      const signed = await signer.sign(token);
      out.status = { token: signed.token, expirationTimestamp: signed.expirationTimestamp };
    } else {
      out.status = { token: '', expirationTimestamp: null };
    }
    return { status: 201, body: out };
  };
}

import { isObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { Authorizer } from '../authn.ts';
import type { UserInfo } from '../context.ts';

/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview: "may I?"
 * answered by the same authorizer every request passes. Nothing is stored.
 */
export async function selfSubjectAccessReview(
  body: Record<string, unknown>,
  user: UserInfo,
  authorize: Authorizer,
): Promise<Record<string, unknown>> {
  const spec = isObject(body.spec) ? body.spec : undefined;
  const ra = spec && isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = spec && isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!ra === !nra) {
    throw statusErrors.badRequest(
      'SelfSubjectAccessReview.spec: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  const str = (o: Record<string, unknown> | undefined, k: string) =>
    typeof o?.[k] === 'string' ? (o[k] as string) : '';
  const attrs = ra
    ? {
        verb: str(ra, 'verb'),
        group: str(ra, 'group'),
        resource: str(ra, 'resource'),
        subresource: str(ra, 'subresource'),
        namespace: str(ra, 'namespace'),
        name: str(ra, 'name'),
        path: '',
      }
    : { verb: str(nra, 'verb'), path: str(nra, 'path') };
  const allowed = await authorize(user, attrs);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed, ...(allowed ? {} : { reason: 'no RBAC policy matched' }) },
  };
}

export async function selfSubjectRulesReview(
  body: Record<string, unknown>,
  user: UserInfo,
): Promise<Record<string, unknown>> {
  const masters = user.groups.includes('system:masters');
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: isObject(body.spec) ? body.spec : {},
    status: {
      resourceRules: masters
        ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
        : [
            {
              verbs: ['create'],
              apiGroups: ['authorization.k8s.io'],
              resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
            },
          ],
      nonResourceRules: masters
        ? [{ verbs: ['*'], nonResourceURLs: ['*'] }]
        : [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }],
      incomplete: false,
    },
  };
}

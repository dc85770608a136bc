/**
 * clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy: upstream's
 * ValidateServiceClusterIPsRelatedFields, the allocator's checks for a single-stack IPv4
 * cluster, and the update rules (an allocated address never changes).
 */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { goStrings, goValue } from '../shared/go-syntax.ts';
import { ipBytes, is4, validIP } from '../shared/ip.ts';
import { type Obj, present, same, spec, str, strings } from '../shared/values.ts';
import { isHeadless, needsHealthCheck } from './defaults.ts';

const families = ['IPv4', 'IPv6'];
const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ipsValue = (s: Obj) => goValue(goStrings(s.clusterIPs));
const familiesValue = (s: Obj) => goValue(goStrings(s.ipFamilies, '[]core.IPFamily'));

export function validateClusterIPs(s: Obj): FieldError[] {
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ip = str(s.clusterIP);
  const ips = strings(s.clusterIPs);
  if (ip !== '') {
    if (ips.length === 0) errs.push(field.required('spec.clusterIPs'));
    else if (ips[0] !== ip)
      errs.push(field.invalid('spec.clusterIPs', ipsValue(s), 'first value must match `clusterIP`'));
  } else if (ips.length > 0)
    errs.push(
      field.invalid('spec.clusterIPs', ipsValue(s), 'must be empty when `clusterIP` is not specified'),
    );
  const seen = new Set<string>();
  strings(s.ipFamilies).forEach((family, i) => {
    if (!families.includes(family)) errs.push(field.notSupported(`spec.ipFamilies[${i}]`, family, families));
    if (seen.has(family)) errs.push(field.duplicate(`spec.ipFamilies[${i}]`, family));
    seen.add(family);
  });
  const policy = str(s.ipFamilyPolicy);
  if (present(s.ipFamilyPolicy) && !policies.includes(policy))
    errs.push(field.notSupported('spec.ipFamilyPolicy', policy, policies));
  let badIPs = false;
  ips.forEach((addr, i) => {
    if (i === 0 && addr === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(field.invalid('spec.clusterIPs', ipsValue(s), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = validIP(`spec.clusterIPs[${i}]`, addr);
    badIPs ||= ipErrs.length > 0;
    errs.push(...ipErrs);
  });
  if (ips.length > 2)
    errs.push(field.invalid('spec.clusterIPs', ipsValue(s), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && is4(ips[0]!) === is4(ips[1]!))
    errs.push(
      field.invalid('spec.clusterIPs', ipsValue(s), 'may specify no more than one IP for each IP family'),
    );
  if (!isHeadless(s)) {
    strings(s.ipFamilies).forEach((family, i) => {
      const addr = ips[i];
      if (addr === undefined || !ipBytes(addr)) return;
      if (family === 'IPv4' && !is4(addr))
        errs.push(
          field.invalid(
            `spec.clusterIPs[${i}]`,
            addr,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      if (family === 'IPv6' && is4(addr))
        errs.push(
          field.invalid(
            `spec.clusterIPs[${i}]`,
            addr,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
    });
  }
  // What the allocator refuses on a single-stack IPv4 cluster.
  const selectorless = Object.keys((s.selector as object | undefined) ?? {}).length === 0;
  if (policy === 'SingleStack' && strings(s.ipFamilies).length > 1)
    errs.push(
      field.invalid(
        'spec.ipFamilies',
        familiesValue(s),
        'when multiple IP families are specified, IP family policy must be RequireDualStack or PreferDualStack',
      ),
    );
  if (policy === 'RequireDualStack' && !(isHeadless(s) && selectorless))
    errs.push(
      field.invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'),
    );
  return errs;
}

function validateClusterIPsUpdate(s: Obj, o: Obj): FieldError[] {
  if (s.type === 'ExternalName' || o.type === 'ExternalName' || (isHeadless(s) && isHeadless(o))) return [];
  const ips = strings(s.clusterIPs);
  const oldIPs = strings(o.clusterIPs);
  const errs: FieldError[] = [];
  const changed = (i: number) =>
    field.invalid(`spec.clusterIPs[${i}]`, ipsValue(s), 'may not change once set');
  if (ips.length === oldIPs.length) {
    for (const [i, ip] of oldIPs.entries()) if (ip !== ips[i]) errs.push(changed(i));
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0)
      errs.push(field.invalid('spec.clusterIPs[0]', ipsValue(s), 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(changed(0));
    if (ips.length === 1 && s.ipFamilyPolicy !== 'SingleStack')
      errs.push(
        field.invalid(
          'spec.ipFamilyPolicy',
          present(s.ipFamilyPolicy) ? str(s.ipFamilyPolicy) : null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) errs.push(changed(0));
  return errs;
}

function validateFamiliesUpdate(s: Obj, o: Obj): FieldError[] {
  if (s.type === 'ExternalName' || o.type === 'ExternalName' || isHeadless(s) || isHeadless(o)) return [];
  const fams = strings(s.ipFamilies);
  const oldFams = strings(o.ipFamilies);
  if (fams.length === oldFams.length)
    return same(fams, oldFams)
      ? []
      : [field.invalid('spec.ipFamilies[0]', familiesValue(s), 'may not change once set')];
  if (fams.length > 0 && oldFams.length > 0 && fams[0] !== oldFams[0])
    return [field.invalid('spec.ipFamilies[0]', ipsValue(s), 'may not change once set')];
  return [];
}

export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const s = spec(obj);
  const o = spec(old);
  const errs = [...validateClusterIPsUpdate(s, o), ...validateFamiliesUpdate(s, o)];
  if (
    s.type === 'LoadBalancer' &&
    o.type === 'LoadBalancer' &&
    !same(s.loadBalancerClass, o.loadBalancerClass)
  )
    errs.push(
      field.invalid(
        'spec.loadBalancerClass',
        present(s.loadBalancerClass) ? str(s.loadBalancerClass) : null,
        'may not change once set',
      ),
    );
  if (needsHealthCheck(o) && needsHealthCheck(s) && s.healthCheckNodePort !== o.healthCheckNodePort)
    errs.push(field.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  return errs;
}

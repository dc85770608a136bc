/** networking.k8s.io/v1 NetworkPolicies: upstream's defaults and ValidateNetworkPolicy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { portNameErrors, portNumErrors } from '../shared/formats.ts';
import { goStrings, goValue } from '../shared/go-syntax.ts';
import { cidrContains, parseCidr, validCidr } from '../shared/ip.ts';
import { validateLabelSelector } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { num, type Obj, objects, present, spec, str, strings, view } from '../shared/values.ts';

export function defaultNetworkPolicy(obj: KubeObject): void {
  const s = spec(obj);
  for (const rule of [...objects(s.ingress), ...objects(s.egress)]) {
    for (const port of objects(rule.ports)) if (!present(port.protocol)) port.protocol = 'TCP';
  }
  if (strings(s.policyTypes).length === 0) {
    // A policy that names no types is at least about ingress, and egress if it has rules.
    s.policyTypes = objects(s.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function validatePort(p: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const protocol = str(p.protocol);
  if (present(p.protocol) && !['TCP', 'UDP', 'SCTP'].includes(protocol))
    errs.push(field.notSupported(`${path}.protocol`, protocol, ['TCP', 'UDP', 'SCTP']));
  const end = num(p.endPort);
  if (typeof p.port === 'number') {
    errs.push(...portNumErrors(p.port).map((msg) => field.invalid(`${path}.port`, p.port, msg)));
    if (end !== undefined) {
      if (end < p.port)
        errs.push(field.invalid(`${path}.endPort`, p.port, 'must be greater than or equal to `port`'));
      errs.push(...portNumErrors(end).map((msg) => field.invalid(`${path}.endPort`, end, msg)));
    }
  } else if (typeof p.port === 'string') {
    if (end !== undefined)
      errs.push(field.invalid(`${path}.endPort`, end, 'may not be specified when `port` is non-numeric'));
    errs.push(...portNameErrors(p.port).map((msg) => field.invalid(`${path}.port`, p.port, msg)));
  } else if (end !== undefined)
    errs.push(field.invalid(`${path}.endPort`, end, 'may not be specified when `port` is not specified'));
  return errs;
}

function validateIPBlock(block: Obj, path: string): FieldError[] {
  const cidr = str(block.cidr);
  if (cidr === '') return [field.required(`${path}.cidr`)];
  const errs = validCidr(`${path}.cidr`, cidr);
  const outer = parseCidr(cidr);
  if (!outer) return errs;
  strings(block.except).forEach((except, i) => {
    const at = `${path}.except[${i}]`;
    errs.push(...validCidr(at, except));
    const inner = parseCidr(except);
    if (inner && (!cidrContains(outer, inner) || outer.bits >= inner.bits))
      errs.push(field.invalid(at, except, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const k of ['podSelector', 'namespaceSelector']) {
    if (!present(peer[k])) continue;
    count++;
    errs.push(...validateLabelSelector(peer[k], `${path}.${k}`));
  }
  if (present(peer.ipBlock)) {
    count++;
    errs.push(...validateIPBlock(view(peer, 'ipBlock'), `${path}.ipBlock`));
  }
  if (count === 0) errs.push(field.required(path, 'must specify a peer'));
  else if (count > 1 && present(peer.ipBlock))
    errs.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicy(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = validateLabelSelector(s.podSelector, 'spec.podSelector');
  for (const [direction, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    objects(s[direction]).forEach((rule, i) => {
      const at = `spec.${direction}[${i}]`;
      for (const [j, p] of objects(rule.ports).entries()) errs.push(...validatePort(p, `${at}.ports[${j}]`));
      for (const [j, peer] of objects(rule[peers]).entries())
        errs.push(...validatePeer(peer, `${at}.${peers}[${j}]`));
    });
  }
  const types = strings(s.policyTypes);
  if (types.length > 2)
    return [
      ...errs,
      field.invalid(
        'spec.policyTypes',
        goValue(`&${goStrings(types, '[]networking.PolicyType')}`),
        'may not specify more than two policyTypes',
      ),
    ];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

export function networkPolicyStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { defaults: defaultNetworkPolicy, validate: validateNetworkPolicy });
}

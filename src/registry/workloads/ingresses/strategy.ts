/** networking.k8s.io/v1 Ingresses: upstream's ValidateIngress (rules, paths, backends, TLS). */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Subdomain } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { dns1035Label, portNameErrors, portNumErrors, wildcardDns1123Subdomain } from '../shared/formats.ts';
import { goValue } from '../shared/go-syntax.ts';
import { isIP } from '../shared/ip.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { num, type Obj, objects, present, spec, str, strings, view } from '../shared/values.ts';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const badSequences = ['//', '/./', '/../', '%2f', '%2F'];
const badSuffixes = ['/..', '/.'];

function validateBackend(b: Obj, path: string): FieldError[] {
  const hasResource = present(b.resource);
  const hasService = present(b.service);
  if (hasResource && hasService)
    return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = view(b, 'resource');
    const errs: FieldError[] = [];
    if (!str(r.kind)) errs.push(field.required(`${path}.resource.kind`));
    if (!str(r.name)) errs.push(field.required(`${path}.resource.name`));
    return errs;
  }
  if (!hasService) return [field.invalid(path, '', 'resource or service backend is required')];
  const service = view(b, 'service');
  const errs: FieldError[] = [];
  const name = str(service.name);
  if (name === '') errs.push(field.required(`${path}.service.name`));
  else errs.push(...dns1035Label(name).map((msg) => field.invalid(`${path}.service.name`, name, msg)));
  const port = view(service, 'port');
  const portName = str(port.name);
  const portNumber = num(port.number) ?? 0;
  if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName)
    errs.push(
      ...portNameErrors(portName).map((msg) => field.invalid(`${path}.service.port.name`, portName, msg)),
    );
  else if (portNumber)
    errs.push(
      ...portNumErrors(portNumber).map((msg) =>
        field.invalid(`${path}.service.port.number`, portNumber, msg),
      ),
    );
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: Obj, at: string): FieldError[] {
  if (!present(p.pathType)) return [field.required(`${at}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const text = str(p.path);
  const type = str(p.pathType);
  if (type === 'Exact' || type === 'Prefix') {
    if (!text.startsWith('/')) errs.push(field.invalid(`${at}.path`, text, 'must be an absolute path'));
    for (const seq of badSequences)
      if (text.includes(seq)) errs.push(field.invalid(`${at}.path`, text, `must not contain '${seq}'`));
    for (const suffix of badSuffixes)
      if (text.endsWith(suffix)) errs.push(field.invalid(`${at}.path`, text, `cannot end with '${suffix}'`));
  } else if (type === 'ImplementationSpecific') {
    if (text !== '' && !text.startsWith('/'))
      errs.push(field.invalid(`${at}.path`, text, 'must be an absolute path'));
  } else errs.push(field.notSupported(`${at}.pathType`, type, pathTypes));
  errs.push(...validateBackend(view(p, 'backend'), `${at}.backend`));
  return errs;
}

function validateHost(host: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isIP(host)) errs.push(field.invalid(path, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? wildcardDns1123Subdomain(host) : dns1123Subdomain(host);
  errs.push(...msgs.map((msg) => field.invalid(path, host, msg)));
  return errs;
}

export function validateIngress(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const rules = objects(s.rules);
  const errs: FieldError[] = [];
  if (rules.length === 0 && !present(s.defaultBackend))
    errs.push(
      field.invalid(
        'spec',
        goValue('[]networking.IngressRule(nil)'),
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  if (present(s.defaultBackend))
    errs.push(...validateBackend(view(s, 'defaultBackend'), 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    if (str(rule.host)) errs.push(...validateHost(str(rule.host), `${at}.host`));
    if (!present(rule.http)) return;
    const paths = objects(view(rule, 'http').paths);
    if (paths.length === 0) errs.push(field.required(`${at}.http.paths`));
    for (const [j, p] of paths.entries()) errs.push(...validatePath(p, `${at}.http.paths[${j}]`));
  });
  objects(s.tls).forEach((tls, i) => {
    strings(tls.hosts).forEach((host, j) => {
      const at = `spec.tls[${i}].hosts[${j}]`;
      const msgs = host.includes('*') ? wildcardDns1123Subdomain(host) : dns1123Subdomain(host);
      errs.push(...msgs.map((msg) => field.invalid(at, host, msg)));
    });
    const secret = str(tls.secretName);
    if (secret !== '')
      errs.push(
        ...dns1123Subdomain(secret).map((msg) => field.invalid(`spec.tls[${i}].secretName`, secret, msg)),
      );
  });
  if (present(s.ingressClassName)) {
    const cls = str(s.ingressClassName);
    errs.push(...dns1123Subdomain(cls).map((msg) => field.invalid('spec.ingressClassName', cls, msg)));
  }
  return errs;
}

export function ingressStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { validate: validateIngress });
}

/** discovery.k8s.io/v1 EndpointSlices: port defaults and upstream's ValidateEndpointSlice{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Label, dns1123Subdomain } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import { labelValueErrors } from '../../../api/selectors/validation.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { ipBytes, is4, nonSpecialIP } from '../shared/ip.ts';
import { labelErrors, validateAppProtocol, validateProtocol } from '../shared/ports.ts';
import { validateLabels } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { immutable, type Obj, objects, present, str, strings, view } from '../shared/values.ts';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const tooMany = (path: string, max: number): FieldError => ({
  type: 'TooMany',
  field: path,
  detail: `must have at most ${max} items`,
});

export function defaultEndpointSlice(obj: KubeObject): void {
  for (const port of objects(obj.ports)) {
    if (!present(port.name)) port.name = '';
    if (!present(port.protocol)) port.protocol = 'TCP';
  }
}

/** upstream's IsFullyQualifiedDomainName. */
function fqdnErrors(path: string, value: string): FieldError[] {
  if (value === '') return [field.required(path)];
  const name = value.replace(/\.$/, '');
  const sub = dns1123Subdomain(name);
  if (sub.length > 0) return [field.invalid(path, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2)
    return [field.invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = dns1123Label(label);
    if (errs.length > 0) return [field.invalid(path, label, errs.join(','))];
  }
  return [];
}

function validateAddress(type: string, address: string, path: string): FieldError[] {
  if (type === 'FQDN') return fqdnErrors(path, address);
  if (type !== 'IPv4' && type !== 'IPv6') return [];
  const ok = ipBytes(address) !== undefined && is4(address) === (type === 'IPv4');
  const errs = ok ? [] : [field.invalid(path, address, `must be a valid ${type} address`)];
  return [...errs, ...nonSpecialIP(path, address)];
}

function validateEndpoint(e: Obj, type: string, path: string): FieldError[] {
  const addresses = strings(e.addresses);
  const errs: FieldError[] = [];
  if (addresses.length === 0)
    errs.push(field.required(`${path}.addresses`, 'must contain at least 1 address'));
  else if (addresses.length > 100) errs.push(tooMany(`${path}.addresses`, 100));
  for (const [i, a] of addresses.entries()) errs.push(...validateAddress(type, a, `${path}.addresses[${i}]`));
  if (present(e.nodeName)) {
    const node = str(e.nodeName);
    errs.push(...dns1123Subdomain(node).map((msg) => field.invalid(`${path}.nodeName`, node, msg)));
  }
  errs.push(...validateLabels(e.deprecatedTopology, `${path}.deprecatedTopology`));
  if (present(e.hostname)) errs.push(...labelErrors(str(e.hostname), `${path}.hostname`));
  const zones = objects(view(e, 'hints').forZones);
  if (zones.length > 8) errs.push(tooMany(`${path}.hints.forZones`, 8));
  else {
    const seen = new Set<string>();
    zones.forEach((z, i) => {
      const at = `${path}.hints.forZones[${i}].name`;
      const name = str(z.name);
      if (seen.has(name)) errs.push(field.duplicate(at, name));
      seen.add(name);
      errs.push(...labelValueErrors(name).map((msg) => field.invalid(at, name, msg)));
    });
  }
  return errs;
}

export function validateEndpointSlice(obj: KubeObject): FieldError[] {
  const type = str(obj.addressType);
  const errs: FieldError[] = [];
  if (type === '') errs.push(field.required('addressType'));
  else if (!addressTypes.includes(type)) errs.push(field.notSupported('addressType', type, addressTypes));
  const endpoints = objects(obj.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', 1000));
  else for (const [i, e] of endpoints.entries()) errs.push(...validateEndpoint(e, type, `endpoints[${i}]`));
  const ports = objects(obj.ports);
  if (ports.length > 20000) return [...errs, tooMany('ports', 20000)];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = str(p.name);
    if (name !== '') errs.push(...labelErrors(name, `${path}.name`));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    names.add(name);
    errs.push(...validateProtocol(p, path), ...validateAppProtocol(p, path));
  });
  return errs;
}

export function endpointSliceStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultEndpointSlice,
    validate: validateEndpointSlice,
    validateUpdate: (obj, old) => immutable(obj.addressType, old.addressType, 'addressType'),
  });
}

/** v1 Endpoints: protocol defaults and upstream's ValidateEndpoints. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Subdomain } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { portNumErrors } from '../shared/formats.ts';
import { nonSpecialIP, validIP } from '../shared/ip.ts';
import { labelErrors, validateAppProtocol, validateProtocol } from '../shared/ports.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { num, type Obj, objects, present, str } from '../shared/values.ts';

export function defaultEndpoints(obj: KubeObject): void {
  for (const subset of objects(obj.subsets)) {
    for (const port of objects(subset.ports)) if (!port.protocol) port.protocol = 'TCP';
  }
}

function validateAddress(a: Obj, path: string): FieldError[] {
  const ip = str(a.ip);
  const errs = validIP(`${path}.ip`, ip);
  if (str(a.hostname)) errs.push(...labelErrors(str(a.hostname), `${path}.hostname`));
  if (present(a.nodeName)) {
    const node = str(a.nodeName);
    errs.push(...dns1123Subdomain(node).map((msg) => field.invalid(`${path}.nodeName`, node, msg)));
  }
  errs.push(...nonSpecialIP(`${path}.ip`, ip));
  return errs;
}

export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objects(obj.subsets).forEach((subset, i) => {
    const at = `subsets[${i}]`;
    const ready = objects(subset.addresses);
    const notReady = objects(subset.notReadyAddresses);
    if (ready.length === 0 && notReady.length === 0)
      errs.push(field.required(at, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [j, a] of ready.entries()) errs.push(...validateAddress(a, `${at}.addresses[${j}]`));
    for (const [j, a] of notReady.entries())
      errs.push(...validateAddress(a, `${at}.notReadyAddresses[${j}]`));
    const ports = objects(subset.ports);
    ports.forEach((p, j) => {
      const path = `${at}.ports[${j}]`;
      const name = str(p.name);
      if (ports.length > 1 && name === '') errs.push(field.required(`${path}.name`));
      else if (name !== '') errs.push(...labelErrors(name, `${path}.name`));
      errs.push(...portNumErrors(p.port).map((msg) => field.invalid(`${path}.port`, num(p.port) ?? 0, msg)));
      errs.push(...validateProtocol(p, path), ...validateAppProtocol(p, path));
    });
  });
  return errs;
}

export function endpointsStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    allowCreateOnUpdate: true,
    defaults: defaultEndpoints,
    validate: validateEndpoints,
  });
}

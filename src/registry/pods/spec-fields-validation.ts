/** Pod-level spec fields: tolerations, DNS, security context, host aliases, labels. */
import { isIP } from 'node:net';
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Subdomain } from '../../api/names.ts';
import { isObject } from '../../api/object.ts';
import { labelValueErrors, qualifiedNameErrors } from '../../api/selectors/validation.ts';
import { type Obj, objects, str } from './json.ts';
import { rangeMessage } from './paths.ts';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Upstream's ValidateTolerations. */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(tolerations).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = str(t.key);
    const operator = str(t.operator);
    const effect = str(t.effect);
    const value = str(t.value);
    if (key) errs.push(...qualifiedNameErrors(key).map((m) => field.invalid(`${p}.key`, key, m)));
    if (!key && operator !== 'Exists')
      errs.push(
        field.invalid(
          `${p}.operator`,
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute')
      errs.push(
        field.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    if (operator === 'Equal' || operator === '') {
      const msgs = labelValueErrors(value);
      if (msgs.length > 0) errs.push(field.invalid(`${p}.operator`, value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value)
        errs.push(field.invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect && !taintEffects.includes(effect))
      errs.push(field.notSupported(`${p}.effect`, effect, taintEffects));
  });
  return errs;
}

/** Upstream's ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(labels)) return errs;
  for (const [key, raw] of Object.entries(labels)) {
    const value = str(raw);
    errs.push(...qualifiedNameErrors(key).map((m) => field.invalid(path, key, m)));
    errs.push(...labelValueErrors(value).map((m) => field.invalid(path, value, m)));
  }
  return errs;
}

/** Upstream's ValidateAnnotations (keys only; the size limit is the object's). */
export function validateAnnotationKeys(annotations: unknown, path: string): FieldError[] {
  if (!isObject(annotations)) return [];
  return Object.keys(annotations).flatMap((key) =>
    qualifiedNameErrors(key.toLowerCase()).map((m) => field.invalid(path, key, m)),
  );
}

const ipMessage = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const ipErrors = (ip: string, path: string) => (isIP(ip) ? [] : [field.invalid(path, ip, ipMessage)]);

export function validateDNSConfig(spec: Obj, path: string): FieldError[] {
  const config = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isObject(config)) return [field.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!Array.isArray(config.nameservers) || config.nameservers.length === 0)
      return [
        field.required(
          `${path}.nameservers`,
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
  }
  if (!isObject(config)) return [];
  const errs: FieldError[] = [];
  const nameservers = Array.isArray(config.nameservers) ? config.nameservers.map(str) : [];
  if (nameservers.length > 3)
    errs.push(field.invalid(`${path}.nameservers`, nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    errs.push(...ipErrors(ns, `${path}.nameservers[${i}]`));
  });
  const searches = Array.isArray(config.searches) ? config.searches.map(str) : [];
  if (searches.length > 32)
    errs.push(field.invalid(`${path}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048)
    errs.push(
      field.invalid(
        `${path}.searches`,
        searches,
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  searches.forEach((s, i) => {
    const search = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...dns1123Subdomain(search).map((m) => field.invalid(`${path}.searches[${i}]`, search, m)));
  });
  objects(config.options).forEach((o, i) => {
    if (!str(o.name)) errs.push(field.required(`${path}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

export function validateHostAliases(aliases: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(aliases).forEach((alias, i) => {
    errs.push(...ipErrors(str(alias.ip), `${path}[${i}].ip`));
    const hostnames = Array.isArray(alias.hostnames) ? alias.hostnames.map(str) : [];
    hostnames.forEach((h, j) => {
      errs.push(...dns1123Subdomain(h).map((m) => field.invalid(`${path}[${i}].hostnames[${j}]`, h, m)));
    });
  });
  return errs;
}

const idErrors = (id: unknown, path: string): FieldError[] =>
  typeof id === 'number' && (id < 0 || id > 2147483647)
    ? [field.invalid(path, id, rangeMessage(0, 2147483647))]
    : [];

export function validatePodSecurityContext(sc: unknown, path: string): FieldError[] {
  if (!isObject(sc)) return [];
  const errs: FieldError[] = [
    ...idErrors(sc.fsGroup, `${path}.fsGroup`),
    ...idErrors(sc.runAsUser, `${path}.runAsUser`),
    ...idErrors(sc.runAsGroup, `${path}.runAsGroup`),
  ];
  if (Array.isArray(sc.supplementalGroups))
    sc.supplementalGroups.forEach((g, i) => {
      errs.push(...idErrors(g, `${path}.supplementalGroups[${i}]`));
    });
  if (sc.shareProcessNamespace === true && sc.hostPID === true)
    errs.push(
      field.invalid(
        `${path}.shareProcessNamespace`,
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  return errs;
}

/** hostNetwork: a Pod's hostPort must equal containerPort (a template's may also be 0). */
export function validateHostNetworkPorts(spec: Obj, path: string, resourceIsPod: boolean): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  objects(spec.containers).forEach((c, i) => {
    objects(c.ports).forEach((port, j) => {
      const hp = typeof port.hostPort === 'number' ? port.hostPort : 0;
      if ((resourceIsPod || hp !== 0) && hp !== port.containerPort)
        errs.push(
          field.invalid(
            `${path}.containers[${i}].ports[${j}].hostPort`,
            hp,
            'must match `containerPort` when `hostNetwork` is true',
          ),
        );
    });
  });
  return errs;
}

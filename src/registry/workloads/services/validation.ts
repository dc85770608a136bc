/** upstream's ValidateService and ValidateServiceUpdate (single-stack IPv4 cluster). */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Label, dns1123Subdomain } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import { portNameErrors, portNumErrors } from '../shared/formats.ts';
import { goIntOrString, goPointer, goQuote, goValue } from '../shared/go-syntax.ts';
import { nonSpecialIP, validCidr, validIP } from '../shared/ip.ts';
import { validateLabels } from '../shared/selector.ts';
import { num, type Obj, objects, present, spec, str, strings, view } from '../shared/values.ts';
import { validateClusterIPs } from './cluster-ips.ts';
import { externallyAccessible, isHeadless, needsHealthCheck } from './defaults.ts';

const protocols = ['SCTP', 'TCP', 'UDP'];
const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const lbOnly = "may only be used when `type` is 'LoadBalancer'";

function validatePort(p: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && name === '') errs.push(field.required(`${path}.name`));
  else if (name !== '') {
    errs.push(...dns1123Label(name).map((msg) => field.invalid(`${path}.name`, name, msg)));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...portNumErrors(p.port).map((msg) => field.invalid(`${path}.port`, num(p.port) ?? 0, msg)));
  const protocol = str(p.protocol);
  if (protocol === '') errs.push(field.required(`${path}.protocol`));
  else if (!protocols.includes(protocol))
    errs.push(field.notSupported(`${path}.protocol`, protocol, protocols));
  if (typeof p.targetPort === 'string')
    errs.push(
      ...portNameErrors(p.targetPort).map((msg) => field.invalid(`${path}.targetPort`, p.targetPort, msg)),
    );
  else
    errs.push(
      ...portNumErrors(p.targetPort).map((msg) =>
        field.invalid(`${path}.targetPort`, num(p.targetPort) ?? 0, msg),
      ),
    );
  if (present(p.appProtocol)) {
    const app = str(p.appProtocol);
    errs.push(...qualifiedNameErrors(app).map((msg) => field.invalid(`${path}.appProtocol`, app, msg)));
  }
  return errs;
}

function validateAffinity(s: Obj): FieldError[] {
  const affinity = str(s.sessionAffinity);
  if (affinity === '') return [field.required('spec.sessionAffinity')];
  if (affinity === 'None')
    return present(s.sessionAffinityConfig)
      ? [field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None')]
      : [];
  if (affinity !== 'ClientIP')
    return [field.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None'])];
  const why = 'when session affinity type is ClientIP';
  const path = 'spec.sessionAffinityConfig';
  if (!present(s.sessionAffinityConfig)) return [field.required(path, why)];
  const clientIP = view(s.sessionAffinityConfig, 'clientIP');
  if (!present(view(s, 'sessionAffinityConfig').clientIP)) return [field.required(`${path}.clientIP`, why)];
  const timeout = num(clientIP.timeoutSeconds);
  if (timeout === undefined) return [field.required(`${path}.clientIP.timeoutSeconds`, why)];
  return timeout <= 0 || timeout > 86400
    ? [
        field.invalid(
          `${path}.clientIP.timeoutSeconds`,
          timeout,
          'must be greater than 0 and less than 86400',
        ),
      ]
    : [];
}

function validateTypeFields(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const first = strings(s.clusterIPs)[0];
  if ((s.type === 'LoadBalancer' || s.type === 'NodePort') && isHeadless(s))
    errs.push(field.invalid('spec.clusterIPs[0]', first, `may not be set to 'None' for ${s.type} services`));
  if (s.type === 'ExternalName') {
    for (const f of ['clusterIPs', 'ipFamilies']) {
      if (strings(s[f]).length > 0)
        errs.push(field.forbidden(`spec.${f}`, 'may not be set for ExternalName services'));
    }
    if (present(s.ipFamilyPolicy))
      errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(s.externalName).replace(/\.$/, '');
    if (cname === '') errs.push(field.required('spec.externalName'));
    else errs.push(...dns1123Subdomain(cname).map((msg) => field.invalid('spec.externalName', cname, msg)));
  }
  return errs;
}

function duplicatePorts(ports: Obj[]): FieldError[] {
  const errs: FieldError[] = [];
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = num(p.nodePort) ?? 0;
    if (nodePort === 0) return;
    const k = `${str(p.protocol)}/${nodePort}`;
    if (nodePorts.has(k)) errs.push(field.duplicate(`spec.ports[${i}].nodePort`, nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (seen.has(k)) {
      const shown = `core.ServicePort{Name:"", Protocol:${goQuote(str(p.protocol))}, AppProtocol:${goPointer('string', undefined)}, Port:${num(p.port) ?? 0}, TargetPort:${goIntOrString(0)}, NodePort:0}`;
      errs.push(field.duplicate(`spec.ports[${i}]`, goValue(shown)));
    }
    seen.add(k);
  });
  return errs;
}

function validateTraffic(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const external = str(s.externalTrafficPolicy);
  if (!externallyAccessible(s)) {
    if (external !== '')
      errs.push(
        field.invalid(
          'spec.externalTrafficPolicy',
          external,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (external === '') errs.push(field.required('spec.externalTrafficPolicy'));
  else if (external !== 'Cluster' && external !== 'Local')
    errs.push(field.notSupported('spec.externalTrafficPolicy', external, ['Cluster', 'Local']));
  const health = num(s.healthCheckNodePort) ?? 0;
  if (!needsHealthCheck(s) && health !== 0)
    errs.push(
      field.invalid(
        'spec.healthCheckNodePort',
        health,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  else if (health !== 0)
    errs.push(...portNumErrors(health).map((m) => field.invalid('spec.healthCheckNodePort', health, m)));
  if (!present(s.internalTrafficPolicy) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(s.type)))
    errs.push(field.required('spec.internalTrafficPolicy'));
  const internal = str(s.internalTrafficPolicy);
  if (present(s.internalTrafficPolicy) && internal !== 'Cluster' && internal !== 'Local')
    errs.push(field.notSupported('spec.internalTrafficPolicy', internal, ['Cluster', 'Local']));
  if (present(s.trafficDistribution) && s.trafficDistribution !== 'PreferClose')
    errs.push(field.notSupported('spec.trafficDistribution', str(s.trafficDistribution), ['PreferClose']));
  return errs;
}

function validateLoadBalancerFields(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const lb = s.type === 'LoadBalancer';
  const ranges = strings(s.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    // sic: upstream spells this path with a capital L.
    if (!lb) errs.push(field.forbidden('spec.LoadBalancerSourceRanges', lbOnly));
    for (const [i, r] of ranges.entries())
      errs.push(...validCidr(`spec.LoadBalancerSourceRanges[${i}]`, r.trim()));
  }
  if (present(s.allocateLoadBalancerNodePorts) && !lb)
    errs.push(field.forbidden('spec.allocateLoadBalancerNodePorts', lbOnly));
  if (lb && !present(s.allocateLoadBalancerNodePorts))
    errs.push(field.required('allocateLoadBalancerNodePorts'));
  if (present(s.loadBalancerClass)) {
    const cls = str(s.loadBalancerClass);
    if (!lb) errs.push(field.forbidden('spec.loadBalancerClass', lbOnly));
    else errs.push(...qualifiedNameErrors(cls).map((m) => field.invalid('spec.loadBalancerClass', cls, m)));
  }
  return errs;
}

export function validateService(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const ports = objects(s.ports);
  const errs: FieldError[] = [];
  if (ports.length === 0 && !isHeadless(s) && s.type !== 'ExternalName')
    errs.push(field.required('spec.ports'));
  errs.push(...validateTypeFields(s));
  const names = new Set<string>();
  for (const [i, p] of ports.entries())
    errs.push(...validatePort(p, ports.length > 1, names, `spec.ports[${i}]`));
  errs.push(...validateLabels(s.selector, 'spec.selector'), ...validateAffinity(s), ...validateClusterIPs(s));
  strings(s.externalIPs).forEach((ip, i) => {
    const ipErrs = validIP(`spec.externalIPs[${i}]`, ip);
    errs.push(...(ipErrs.length > 0 ? ipErrs : nonSpecialIP(`spec.externalIPs[${i}]`, ip)));
  });
  const type = str(s.type);
  if (type === '') errs.push(field.required('spec.type'));
  else if (!types.includes(type)) errs.push(field.notSupported('spec.type', type, types));
  if (type === 'ClusterIP')
    ports.forEach((p, i) => {
      if (num(p.nodePort))
        errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  errs.push(...duplicatePorts(ports), ...validateLoadBalancerFields(s), ...validateTraffic(s));
  return errs;
}

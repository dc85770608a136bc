/** Upstream's validateProbe and validateHandler (probes and lifecycle hooks). */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { type Obj, str } from './json.ts';
import { nonNegative, portNumOrName } from './paths.ts';

const schemes = ['HTTP', 'HTTPS'];
const headerName = /^[-A-Za-z0-9]+$/;

/** The handler kinds each place knows, in upstream's order of checks. */
const handlerKinds = {
  probe: ['exec', 'httpGet', 'tcpSocket', 'grpc'],
  lifecycle: ['exec', 'httpGet', 'tcpSocket', 'sleep'],
} as const;

function actionErrors(
  kind: string,
  action: Obj,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  switch (kind) {
    case 'exec':
      return Array.isArray(action.command) && action.command.length > 0
        ? []
        : [field.required(`${path}.command`)];
    case 'httpGet': {
      const errs: FieldError[] = [];
      if (!str(action.path)) errs.push(field.required(`${path}.path`));
      errs.push(...portNumOrName(action.port, `${path}.port`));
      const scheme = str(action.scheme);
      if (!schemes.includes(scheme)) errs.push(field.notSupported(`${path}.scheme`, scheme, schemes));
      if (Array.isArray(action.httpHeaders)) {
        for (const h of action.httpHeaders) {
          const name = isObject(h) ? str(h.name) : '';
          if (!headerName.test(name))
            errs.push(
              field.invalid(
                `${path}.httpHeaders`,
                name,
                "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
              ),
            );
        }
      }
      return errs;
    }
    case 'tcpSocket':
      return portNumOrName(action.port, `${path}.port`);
    case 'grpc':
      return portNumOrName(typeof action.port === 'number' ? action.port : 0, `${path}.port`);
    case 'sleep': {
      const seconds = typeof action.seconds === 'number' ? action.seconds : 0;
      if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
        return [
          field.invalid(
            path,
            seconds,
            `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
          ),
        ];
      }
      return [];
    }
  }
  return [];
}

/** Exactly one handler, and that handler's own checks. */
export function validateHandler(
  handler: Obj,
  place: keyof typeof handlerKinds,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of handlerKinds[place]) {
    const action = handler[kind];
    if (!isObject(action)) continue;
    if (count > 0) {
      errs.push(field.forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    errs.push(...actionErrors(kind, action, gracePeriod, `${path}.${kind}`));
  }
  if (count === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

export function validateProbe(
  probe: Obj,
  kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe',
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const errs = validateHandler(probe, 'probe', gracePeriod, path);
  for (const key of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ])
    errs.push(...nonNegative(probe[key], `${path}.${key}`));
  const grace = probe.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace <= 0)
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  if (kind !== 'readinessProbe' && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1)
    errs.push(field.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  if (kind === 'readinessProbe' && grace !== undefined && grace !== null)
    errs.push(
      field.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes'),
    );
  return errs;
}

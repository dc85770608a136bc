/** Resolves a probe's or hook's port, by number or by the name of one of the container's ports. */
import type { V1Container } from '@kubernetes/client-node';

export type PortLike = number | string | undefined;

/** The port number, or an Error saying why there is none (upstream's messages). */
export function resolvePort(port: PortLike, container: V1Container): number | Error {
  if (typeof port === 'number') return validPort(port);
  if (port === undefined || port === '') return new Error('port is not set');
  if (/^[0-9]+$/.test(port)) return validPort(Number(port));
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (!named) return new Error(`couldn't find port: ${port} in ${describe(container)}`);
  return validPort(named.containerPort);
}

function validPort(n: number): number | Error {
  if (!Number.isInteger(n) || n <= 0 || n >= 65536) return new Error(`invalid port number: ${n}`);
  return n;
}

function describe(c: V1Container): string {
  const ports = (c.ports ?? []).map((p) => `${p.name ?? ''}:${p.containerPort}`).join(',');
  return `container ${c.name} (ports [${ports}])`;
}

/** host:port, with brackets for IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Runs one probe of any kind (exec, httpGet, tcpSocket, grpc) against a container. */
import type { V1Probe } from '@kubernetes/client-node';
import { probeExec } from './exec.ts';
import { probeGrpc } from './grpc.ts';
import { probeHttp } from './http.ts';
import { resolvePort } from './ports.ts';
import { probeTcp } from './tcp.ts';
import { type ProbeResult, type ProbeTarget, unknown } from './types.ts';

const noIp = unknown('the pod has no IP address yet');

export async function runProbe(probe: V1Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutSeconds = Math.max(1, probe.timeoutSeconds ?? 1);
  const timeoutMs = timeoutSeconds * 1000;
  if (probe.exec) return probeExec(t.exec, t.containerId, probe.exec.command, timeoutSeconds);
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port as number | string, t.container);
    if (port instanceof Error) return unknown(port.message);
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS')
      return unknown(`unsupported scheme: ${probe.httpGet.scheme}`);
    const host = probe.httpGet.host || t.podIp;
    if (!host) return noIp;
    return probeHttp({
      scheme,
      host,
      port,
      path: probe.httpGet.path ?? '',
      headers: probe.httpGet.httpHeaders ?? [],
      timeoutMs,
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port as number | string, t.container);
    if (port instanceof Error) return unknown(port.message);
    const host = probe.tcpSocket.host || t.podIp;
    if (!host) return noIp;
    return probeTcp(host, port, timeoutMs);
  }
  if (probe.grpc) {
    const port = resolvePort(probe.grpc.port, t.container);
    if (port instanceof Error) return unknown(port.message);
    if (!t.podIp) return noIp;
    return probeGrpc(t.podIp, port, probe.grpc.service ?? '', timeoutMs);
  }
  return unknown('missing probe handler');
}

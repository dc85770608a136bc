/**
 * httpGet probe and hook request, as upstream's pkg/probe/http: GET with keep-alive off,
 * `kube-probe/<ver>` User-Agent and `Accept: *\/*` unless given, the Host header from httpHeaders,
 * TLS without verification, up to 10 redirects followed while they stay on the same host (one to
 * another host ends the probe with a warning), 200–399 is success, body up to 10 KiB.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { dialError } from './tcp.ts';
import { failure, type ProbeResult, probeUserAgent, success, warning } from './types.ts';

export interface HttpGetRequest {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  /** Path with an optional query; '' means '/'. */
  path: string;
  headers: { name: string; value: string }[];
  timeoutMs: number;
}

const maxBodyBytes = 10 * 1024;
const maxRedirects = 10;
const insecureAgent = new https.Agent({ rejectUnauthorized: false, keepAlive: false });

/** The URL upstream forms from scheme, host, port and path. */
export function probeUrl(r: Pick<HttpGetRequest, 'scheme' | 'host' | 'port' | 'path'>): URL {
  const host = r.host.includes(':') && !r.host.startsWith('[') ? `[${r.host}]` : r.host;
  const path = r.path === '' ? '/' : r.path.startsWith('/') ? r.path : `/${r.path}`;
  return new URL(`${r.scheme.toLowerCase()}://${host}:${r.port}${path}`);
}

function requestHeaders(
  list: HttpGetRequest['headers'],
  userAgent: string,
): { headers: Record<string, string>; host?: string } {
  const headers: Record<string, string> = {};
  let host: string | undefined;
  const seen = new Set<string>();
  for (const h of list) {
    const key = h.name.toLowerCase();
    seen.add(key);
    if (key === 'host') host = h.value;
    else if (h.value !== '' || key !== 'accept') headers[h.name] = h.value;
  }
  if (!seen.has('user-agent')) headers['User-Agent'] = userAgent;
  if (!seen.has('accept')) headers.Accept = '*/*';
  headers.Connection = 'close';
  return { headers, host };
}

/** TLS server name from a Host header (never an IP address, which SNI does not carry). */
function sni(hostHeader: string | undefined): { servername?: string } {
  const name = hostHeader?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name && !isIP(name) ? { servername: name } : {};
}

export interface HttpResponse {
  status: number;
  location?: string;
  body: string;
}

function getOnce(
  url: URL,
  headers: Record<string, string>,
  hostHeader: string | undefined,
  signal: AbortSignal,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      headers: hostHeader ? { ...headers, Host: hostHeader } : headers,
      signal,
      ...(url.protocol === 'https:' ? { agent: insecureAgent, ...sni(hostHeader) } : { agent: false }),
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        res.destroy();
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8'),
        });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= maxBodyBytes) finish();
      });
      res.once('end', finish);
      res.once('error', reject);
    });
    req.end();
  });
}

const redirectCodes = new Set([301, 302, 303, 307, 308]);

/**
 * Performs the GET, following redirects as upstream's prober does; resolves with the last
 * response, or with the error text (Go's wording) when there is none.
 */
export async function httpGetFollow(
  r: HttpGetRequest,
  userAgent = probeUserAgent,
): Promise<{ response: HttpResponse } | { error: string }> {
  let url: URL;
  try {
    url = probeUrl(r);
  } catch (e) {
    return { error: `invalid URL: ${(e as Error).message}` };
  }
  const { headers, host } = requestHeaders(r.headers, userAgent);
  const first = url;
  const signal = AbortSignal.timeout(r.timeoutMs);
  let res: HttpResponse;
  for (let redirects = 0; ; redirects++) {
    try {
      res = await getOnce(url, headers, redirects === 0 ? host : undefined, signal);
    } catch (e) {
      return {
        error: `Get ${JSON.stringify(url.href)}: ${requestError(e as NodeJS.ErrnoException, url, signal)}`,
      };
    }
    if (!redirectCodes.has(res.status) || !res.location) break;
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      break;
    }
    // A redirect to another host is not followed: its 3xx answer stands (a warning, upstream).
    if (next.hostname !== first.hostname) break;
    if (redirects + 1 >= maxRedirects) {
      return { error: `Get ${JSON.stringify(next.href)}: stopped after ${maxRedirects} redirects` };
    }
    url = next;
  }
  return { response: res };
}

/** The httpGet probe: 200–299 success, 300–399 a warning (redirect not followed), else failure. */
export async function probeHttp(r: HttpGetRequest): Promise<ProbeResult> {
  const got = await httpGetFollow(r);
  if ('error' in got) return failure(got.error);
  const res = got.response;
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return warning(`Probe terminated redirects, Response body: ${res.body}`);
    return success(res.body);
  }
  return failure(`HTTP probe failed with statuscode: ${res.status}`);
}

function requestError(e: NodeJS.ErrnoException, url: URL, signal: AbortSignal): string {
  if (signal.aborted) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  if (e.code && /^E[A-Z]+$/.test(e.code) && e.syscall) return `dial tcp ${url.host}: ${dialError(e)}`;
  return e.message;
}

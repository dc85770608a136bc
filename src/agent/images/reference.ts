/**
 * Image references the way Docker and containerd read them: `busybox` is
 * `docker.io/library/busybox:latest`, `skiff/pause:3.10` is `docker.io/skiff/pause:3.10`, and
 * the first path component is a registry host only when it has a dot or a port or is
 * `localhost`.
 */

export interface ImageReference {
  /** Registry host (with port): docker.io, 127.0.0.1:5000, … */
  domain: string;
  /** Repository path inside the registry: library/busybox, skiff/pause. */
  path: string;
  /** Tag, '' when the reference names a digest only. */
  tag: string;
  /** `sha256:…`, '' when absent. */
  digest: string;
}

const DOCKER_HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

export class InvalidImageReferenceError extends Error {
  readonly reference: string;
  constructor(reference: string, why: string) {
    super(`invalid image reference "${reference}": ${why}`);
    this.name = 'InvalidImageReferenceError';
    this.reference = reference;
  }
}

/** The registry host as Docker config files and registries.yaml name it, aliases folded. */
export function canonicalRegistryHost(host: string): string {
  let h = host.trim().toLowerCase();
  h = h.replace(/^[a-z]+:\/\//, '');
  h = h.replace(/\/.*$/, '');
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

export function parseImageReference(ref: string): ImageReference {
  const input = ref.trim();
  if (input === '') throw new InvalidImageReferenceError(ref, 'empty');
  let rest = input;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageReferenceError(ref, `bad digest "${digest}"`);
  }
  let tag = '';
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageReferenceError(ref, `bad tag "${tag}"`);
  }
  const parts = rest.split('/');
  let domain = DOCKER_HUB;
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = canonicalRegistryHost(first);
    parts.shift();
  } else if (parts.length > 1 && first !== first.toLowerCase()) {
    throw new InvalidImageReferenceError(ref, 'repository name must be lowercase');
  }
  if (domain === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (!PATH_COMPONENT.test(p)) throw new InvalidImageReferenceError(ref, `bad path component "${p}"`);
  }
  if (!tag && !digest) tag = 'latest';
  return { domain, path: parts.join('/'), tag, digest };
}

export function formatImageReference(r: ImageReference): string {
  return `${r.domain}/${r.path}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** `busybox` → `docker.io/library/busybox:latest`. Throws InvalidImageReferenceError. */
export function normalizeImageRef(ref: string): string {
  return formatImageReference(parseImageReference(ref));
}

/** Whether the reference names the tag `latest` (explicitly or by having no tag or digest). */
export function isLatestTag(ref: string): boolean {
  const r = parseImageReference(ref);
  return r.tag === 'latest' || (!r.tag && !r.digest);
}

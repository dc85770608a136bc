/**
 * The kubelet's image manager (pkg/kubelet/images): before a container is created, make sure
 * its image is there. imagePullPolicy decides (Always, IfNotPresent, Never; unset means Always
 * for `:latest` or an untagged image, IfNotPresent otherwise); CRI ImageStatus is asked first,
 * since PullImage always contacts the registry. Credentials come from the pod's
 * imagePullSecrets (tried most specific first), else from registries.yaml. A failed pull puts
 * the pod's image in back-off (10 s doubling to 5 min): the first failure is ErrImagePull, the
 * retries inside the back-off window ImagePullBackOff, with the reasons and messages upstream
 * gives. Never throws: every failure is a result to show on the pod.
 */
import type { V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import { credentialsFor, keyringFromSecrets } from './credentials.ts';
import { parseImageReference } from './reference.ts';
import type { CriAuthConfig, RegistriesConfig } from './registries.ts';
import { registryAuth } from './registries.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are untyped plain objects from proto-loader.
type Msg = Record<string, any>;

/** The part of CriClient.image the manager calls. */
export interface ImageServiceApi {
  imageStatus(req: Msg, opts?: { timeoutMs?: number }): Promise<Msg>;
  pullImage(req: Msg, opts?: { timeoutMs?: number }): Promise<Msg>;
}

export type PullFailureReason =
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'ImageInspectError'
  | 'RegistryUnavailable';

export type EnsureImageResult =
  | { ok: true; imageRef: string }
  | { ok: false; reason: PullFailureReason; message: string };

export interface ImageEvent {
  type: 'Normal' | 'Warning';
  /** Pulling, Pulled, Failed, BackOff, ErrImageNeverPull, InspectFailed. */
  reason: string;
  message: string;
}

export interface ImageManagerOptions {
  cri: ImageServiceApi;
  /** The current registries.yaml (re-read by the caller when it changes). */
  registries?: () => RegistriesConfig;
  /** Events for the pod's container (the caller records them against the pod). */
  onEvent?: (pod: V1Pod, container: V1Container, event: ImageEvent) => void;
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** PullImage deadline; default 10 min. */
  pullTimeoutMs?: number;
}

/** Go's grpc codes as `rpc error: code = X desc = …` prints them, by number. */
const GO_CODES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/** A CRI error as the kubelet prints it (`rpc error: code = NotFound desc = …`). */
export function criErrorMessage(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: string };
  if (typeof e?.code === 'number' && typeof e.details === 'string') {
    return `rpc error: code = ${GO_CODES[e.code] ?? `Code(${e.code})`} desc = ${e.details}`;
  }
  return e?.message ?? String(err);
}

/** Go's time.Duration.String for milliseconds: 66ms, 1.234s, 1m2.5s. */
export function goDurationMs(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const secs = (whole % 60_000) / 1000;
  const s = `${Number(secs.toFixed(3))}s`;
  const mins = Math.floor(whole / 60_000);
  if (mins === 0) return s;
  return mins < 60 ? `${mins}m${s}` : `${Math.floor(mins / 60)}h${mins % 60}m${s}`;
}

/** `busybox` → `busybox:latest`; a reference with a tag or digest is left alone. */
export function applyDefaultImageTag(image: string): string {
  const ref = parseImageReference(image); // throws for an invalid name
  const lastSlash = image.lastIndexOf('/');
  const hasTag = image.lastIndexOf(':') > lastSlash;
  return hasTag || ref.digest ? image : `${image}:latest`;
}

/** The policy the API server would have defaulted: Always for :latest or untagged. */
export function effectivePullPolicy(container: V1Container): 'Always' | 'IfNotPresent' | 'Never' {
  const p = container.imagePullPolicy;
  if (p === 'Always' || p === 'IfNotPresent' || p === 'Never') return p;
  const ref = parseImageReference(container.image ?? '');
  return ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

interface BackoffEntry {
  delayMs: number;
  lastUpdate: number;
}

export class ImageManager {
  private readonly opts: ImageManagerOptions;
  private readonly now: () => number;
  private readonly initial: number;
  private readonly max: number;
  private readonly backoff = new Map<string, BackoffEntry>();
  private readonly inFlight = new Map<string, Promise<Msg>>();

  constructor(opts: ImageManagerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.initial = opts.initialBackoffMs ?? 10_000;
    this.max = opts.maxBackoffMs ?? 300_000;
  }

  async ensureImage(
    pod: V1Pod,
    container: V1Container,
    pullSecrets: V1Secret[] = [],
    sandboxConfig?: Msg,
  ): Promise<EnsureImageResult> {
    const event = (type: ImageEvent['type'], reason: string, message: string) =>
      this.opts.onEvent?.(pod, container, { type, reason, message });
    const shown = container.image ?? '';
    let image: string;
    let policy: ReturnType<typeof effectivePullPolicy>;
    try {
      image = applyDefaultImageTag(shown);
      policy = effectivePullPolicy(container);
    } catch (err) {
      const message = `Failed to apply default image tag "${shown}": ${(err as Error).message}`;
      event('Warning', 'InspectFailed', message);
      return { ok: false, reason: 'InvalidImageName', message };
    }

    let presentRef = '';
    try {
      const status = await this.opts.cri.imageStatus({ image: { image } }, { timeoutMs: 60_000 });
      presentRef = status?.image?.id ?? '';
    } catch (err) {
      const message = `Failed to inspect image "${shown}": ${criErrorMessage(err)}`;
      event('Warning', 'InspectFailed', message);
      return { ok: false, reason: 'ImageInspectError', message };
    }
    const mustPull = policy === 'Always' || (policy === 'IfNotPresent' && !presentRef);
    if (!mustPull) {
      if (presentRef) {
        event('Normal', 'Pulled', `Container image "${shown}" already present on machine`);
        return { ok: true, imageRef: presentRef };
      }
      const message = `Container image "${shown}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }

    const key = `${pod.metadata?.uid ?? ''}_${shown}`;
    if (this.inBackoff(key)) {
      const message = `Back-off pulling image "${shown}"`;
      event('Normal', 'BackOff', message);
      return { ok: false, reason: 'ImagePullBackOff', message };
    }

    event('Normal', 'Pulling', `Pulling image "${shown}"`);
    const started = this.now();
    try {
      const res = await this.pullWithCredentials(image, pullSecrets, sandboxConfig);
      const took = goDurationMs(this.now() - started);
      const size = await this.imageSize(image);
      event(
        'Normal',
        'Pulled',
        `Successfully pulled image "${shown}" in ${took} (${took} including waiting). Image size: ${size} bytes.`,
      );
      this.gcBackoff();
      return { ok: true, imageRef: res.imageRef ?? '' };
    } catch (err) {
      const detail = (err as Error).message;
      event('Warning', 'Failed', `Failed to pull image "${shown}": ${detail}`);
      this.nextBackoff(key);
      if (detail.startsWith('RegistryUnavailable')) {
        const message = `image pull failed for ${shown} because the registry is unavailable${detail.slice('RegistryUnavailable'.length)}`;
        return { ok: false, reason: 'RegistryUnavailable', message };
      }
      return { ok: false, reason: 'ErrImagePull', message: detail };
    }
  }

  /** PullImage with each matching pull secret in turn, else registries.yaml's auth, else none. */
  private async pullWithCredentials(image: string, secrets: V1Secret[], sandboxConfig?: Msg): Promise<Msg> {
    const { entries } = keyringFromSecrets(secrets);
    const auths: (CriAuthConfig | undefined)[] = credentialsFor(entries, image).map((e) => e.auth);
    if (auths.length === 0)
      auths.push(this.opts.registries ? registryAuth(this.opts.registries(), image) : undefined);
    const errors: string[] = [];
    for (const auth of auths) {
      try {
        return await this.pullOnce(image, auth, sandboxConfig);
      } catch (err) {
        errors.push(criErrorMessage(err));
      }
    }
    throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  /** One PullImage; concurrent pulls of the same image with the same auth share the call. */
  private pullOnce(image: string, auth: CriAuthConfig | undefined, sandboxConfig?: Msg): Promise<Msg> {
    const key = `${image}\0${auth ? JSON.stringify(auth) : ''}`;
    let p = this.inFlight.get(key);
    if (!p) {
      const req: Msg = { image: { image } };
      if (auth) req.auth = auth;
      if (sandboxConfig) req.sandboxConfig = sandboxConfig;
      p = this.opts.cri.pullImage(req, { timeoutMs: this.opts.pullTimeoutMs ?? 600_000 });
      this.inFlight.set(key, p);
      const clear = () => this.inFlight.delete(key);
      p.then(clear, clear);
    }
    return p;
  }

  private async imageSize(image: string): Promise<number> {
    try {
      return Number((await this.opts.cri.imageStatus({ image: { image } }))?.image?.size ?? 0);
    } catch {
      return 0;
    }
  }

  private expired(e: BackoffEntry, t: number): boolean {
    return t - e.lastUpdate > 2 * this.max;
  }

  private inBackoff(key: string): boolean {
    const e = this.backoff.get(key);
    const t = this.now();
    if (!e || this.expired(e, t)) return false;
    return t - e.lastUpdate < e.delayMs;
  }

  private nextBackoff(key: string): void {
    const t = this.now();
    const e = this.backoff.get(key);
    if (!e || this.expired(e, t)) this.backoff.set(key, { delayMs: this.initial, lastUpdate: t });
    else {
      e.delayMs = Math.min(e.delayMs * 2, this.max);
      e.lastUpdate = t;
    }
  }

  private gcBackoff(): void {
    const t = this.now();
    for (const [k, e] of this.backoff) if (this.expired(e, t)) this.backoff.delete(k);
  }

  /** The current back-off delay of a pod's image (0 when none); for status and tests. */
  backoffDelayMs(podUid: string, image: string): number {
    return this.backoff.get(`${podUid}_${image}`)?.delayMs ?? 0;
  }
}

/**
 * A container's CRI mounts from its volumeMounts and the pod's set-up volumes (the kubelet's
 * makeMounts): subPath / subPathExpr resolved to host paths inside the volume, propagation
 * mapped, API-data volumes always read-only.
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import { expand } from './expansion.ts';

export type MountPropagation =
  | 'PROPAGATION_PRIVATE'
  | 'PROPAGATION_HOST_TO_CONTAINER'
  | 'PROPAGATION_BIDIRECTIONAL';

/** The CRI Mount message as the CRI client takes it. */
export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: MountPropagation;
}

/** A volume that is set up: where it is on the host and whether containers must see it read-only. */
export interface MountableVolume {
  hostPath: string;
  readOnly: boolean;
}

/** A mount the container cannot start with; the kubelet reports it as CreateContainerConfigError. */
export class MountError extends Error {
  override name = 'MountError';
}

export function propagationOf(mount: V1VolumeMount, privileged: boolean): MountPropagation {
  switch (mount.mountPropagation ?? 'None') {
    case 'None':
      return 'PROPAGATION_PRIVATE';
    case 'HostToContainer':
      return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      if (!privileged)
        throw new MountError('Bidirectional mount propagation is available only to privileged containers');
      return 'PROPAGATION_BIDIRECTIONAL';
    default:
      throw new MountError(`invalid MountPropagation mode: ${JSON.stringify(mount.mountPropagation)}`);
  }
}

/** The subPath of a mount, with subPathExpr expanded from the container's environment. */
function subPathOf(mount: V1VolumeMount, env: ReadonlyMap<string, string>): string {
  if (!mount.subPathExpr) return mount.subPath ?? '';
  const missing: string[] = [];
  const expanded = expand(mount.subPathExpr, (name) => {
    const v = env.get(name);
    if (!v) missing.push(name);
    return v ?? '';
  });
  if (missing.length > 0) throw new MountError(`missing value for ${missing.join(', ')}`);
  return expanded;
}

const within = (base: string, path: string) => {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
};

/** The host path of `subPath` inside `volumePath`, created when missing, never outside the volume. */
function resolveSubPath(volumePath: string, subPath: string, mountName: string): string {
  if (isAbsolute(subPath))
    throw new MountError(`subPath "${subPath}" of volume "${mountName}" must be a relative path`);
  if (subPath.split('/').includes('..')) {
    throw new MountError(`subPath "${subPath}" of volume "${mountName}" must not contain '..'`);
  }
  const base = realpathSync(volumePath);
  const wanted = join(base, subPath);
  let resolved: string;
  try {
    resolved = realpathSync(wanted);
  } catch {
    // Upstream creates a missing subPath as a directory with the volume's own permissions.
    mkdirSync(wanted, { recursive: true, mode: statSync(base).mode & 0o7777 });
    resolved = realpathSync(wanted);
  }
  if (!within(base, resolved)) {
    throw new MountError(`subPath "${subPath}" of volume "${mountName}" resolves outside the volume`);
  }
  return resolved;
}

/** The CRI mounts of a container; throws MountError for a mount that cannot be made. */
export function containerMounts(
  container: V1Container,
  volumes: ReadonlyMap<string, MountableVolume>,
  env: ReadonlyMap<string, string>,
): CriMount[] {
  const privileged = container.securityContext?.privileged === true;
  const out: CriMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const vol = volumes.get(mount.name);
    if (!vol) {
      throw new MountError(`cannot find volume "${mount.name}" to mount into container "${container.name}"`);
    }
    const subPath = subPathOf(mount, env);
    let hostPath = vol.hostPath;
    if (subPath !== '') {
      try {
        hostPath = resolveSubPath(vol.hostPath, subPath, mount.name);
      } catch (err) {
        if (err instanceof MountError) throw err;
        throw new MountError(
          `failed to prepare subPath for volumeMount "${mount.name}" of container "${container.name}": ${(err as Error).message}`,
        );
      }
    }
    out.push({
      containerPath: mount.mountPath,
      hostPath,
      readonly: mount.readOnly === true || vol.readOnly,
      selinuxRelabel: false,
      propagation: propagationOf(mount, privileged),
    });
  }
  return out;
}

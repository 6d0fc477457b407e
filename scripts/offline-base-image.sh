#!/usr/bin/env bash
# Builds a local stand-in for node:24-bookworm-slim where no image registry is reachable:
# Debian bookworm (debootstrap minbase) plus this host's Node.js, npm and headers, and the host CA bundle.
# Usage: scripts/offline-base-image.sh TAG   (idempotent: an image already tagged TAG is kept)
# The label ahb.test=<TAG's repository prefix> marks it as the test suite's (test/helpers/docker.ts), so .ci/run can
# remove it before a from-scratch run.
set -euo pipefail
tag=${1:?usage: offline-base-image.sh TAG}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists"
  exit 0
fi
echo "base image $tag not found: building it (debootstrap, a few minutes)"
rootfs=$(mktemp -d /tmp/ahb-rootfs.XXXXXX)
log=$(mktemp /tmp/ahb-debootstrap.XXXXXX.log)
trap 'rm -rf "$rootfs" "$log"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$log" 2>&1 ||
  { tail -20 "$log"; exit 1; }
install -D /usr/bin/node "$rootfs/usr/bin/node"
mkdir -p "$rootfs/usr/lib/node_modules" "$rootfs/usr/include" "$rootfs/usr/etc"
cp -a /usr/lib/node_modules/npm "$rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
cp -a /usr/include/node "$rootfs/usr/include/node"
# Installing ca-certificates in the image regenerates the standard bundle, so keep the host's under its own name.
mkdir -p "$rootfs/etc/ssl"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/host-ca-bundle.pem"
printf 'nodedir=/usr\ncafile=/etc/ssl/host-ca-bundle.pem\n' >"$rootfs/usr/etc/npmrc"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-bundle.pem' \
  -c 'CMD ["node"]' -c "LABEL ahb.test=${tag%%/*}" - "$tag" >/dev/null
echo "base image $tag built in ${SECONDS} s"

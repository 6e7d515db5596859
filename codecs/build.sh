#!/usr/bin/env bash
# Builds every codec in core/codecs from Debian's sources (each folder's build.sh) and checks
# each output against its SHA256SUMS: the .wasm files in the repo are exactly these builds.
# Needs deb-src in apt's sources and the packages named at the top of each build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for codec in jpeg png; do
  echo "== codec: $codec"
  "$here/$codec/build.sh"
done
cd "$here/.."
sha256sum --check --strict --ignore-missing codecs/jpeg/SHA256SUMS codecs/png/SHA256SUMS

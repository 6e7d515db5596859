#!/usr/bin/env bash
# Builds core/codecs/png.wasm: Debian's libspng 0.7.3-3 on Debian's zlib 1:1.2.13.dfsg-1, with
# binding.c, as a WASI reactor (no WASI imports in practice; it imports env.read_input, the file).
# It decodes with spng (zlib's inflate) and encodes with zlib's deflate directly (binding.c).
#
# Needs Debian bookworm packages: clang lld wasi-libc libclang-rt-14-dev-wasm32 dpkg-dev
# and deb-src in the apt sources (or SOURCES_DIR=dir holding the six files of SHA256SUMS).
#
#   codecs/png/build.sh [out.wasm]      default core/codecs/png.wasm
#   UPDATE_SUMS=1 codecs/png/build.sh   after changing binding.c or the flags
#
# Reproducible: sources are pinned and hashed, paths are mapped away and debug info stripped,
# so two builds in different directories give the same bytes (checked against SHA256SUMS).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(realpath -m "${1:-$root/core/codecs/png.wasm}")
sums="$here/SHA256SUMS"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# 1. Sources, pinned, and checked before anything is unpacked.
if [[ -n "${SOURCES_DIR:-}" ]]; then
  cp "$SOURCES_DIR"/{libspng_0.7.3-3.dsc,libspng_0.7.3.orig.tar.gz,libspng_0.7.3-3.debian.tar.xz} .
  cp "$SOURCES_DIR"/{zlib_1.2.13.dfsg-1.dsc,zlib_1.2.13.dfsg.orig.tar.bz2,zlib_1.2.13.dfsg-1.debian.tar.xz} .
else
  # _apt downloads into a folder it can write, or apt warns and fetches as root.
  chmod 777 "$work"
  apt-get source --download-only -qq libspng=0.7.3-3 zlib=1:1.2.13.dfsg-1
fi
grep -v ' core/codecs/png.wasm$' "$sums" | sha256sum --check --strict --quiet
# The .dsc hashes were checked above; its signature needs a Debian keyring that may be absent.
dpkg-source --no-check -x libspng_0.7.3-3.dsc spng >/dev/null
dpkg-source --no-check -x zlib_1.2.13.dfsg-1.dsc zlib >/dev/null

# 2. Compile. SPNG_DISABLE_OPT: spng's SIMD paths are SSE/NEON intrinsics, none for WASM.
# UNALIGNED_OK: zlib's longest_match compares two bytes at a time (Debian sets it for x86;
# WASM loads may be unaligned too): about 5 % off the encoder's time. spng's own encoder is
# unused (binding.c deflates itself) and --gc-sections drops it.
cflags=(
  --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi
  -O2 -DUNALIGNED_OK -msimd128 -ffile-prefix-map="$work"=. -ffile-prefix-map="$here"=codecs/png
  -DSPNG_STATIC -DSPNG_DISABLE_OPT -Izlib -Ispng/spng
)
objects=()
for file in zlib/{adler32,crc32,inflate,inftrees,inffast,zutil,deflate,trees}.c spng/spng/spng.c "$here/binding.c"; do
  object="$work/$(basename "$file" .c).o"
  clang "${cflags[@]}" -Wall -c "$file" -o "$object"
  objects+=("$object")
done

# 3. Link as a reactor (_initialize, no main), exporting the binding, malloc and free.
clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -O2 "${objects[@]}" -o png.wasm \
  -Wl,--export=malloc,--export=free,--gc-sections,--strip-debug

mkdir -p "$(dirname "$out")"
cp png.wasm "$out"
hash=$(sha256sum png.wasm | cut -d' ' -f1)
echo "$out: $(stat -c %s png.wasm) bytes, sha256 $hash"

if [[ "${UPDATE_SUMS:-}" == 1 ]]; then
  { grep -v ' core/codecs/png.wasm$' "$sums"; echo "$hash  core/codecs/png.wasm"; } >"$work/sums"
  cp "$work/sums" "$sums"
elif ! grep -q "^$hash  core/codecs/png.wasm$" "$sums"; then
  echo "differs from $sums: another toolchain, or binding.c/flags changed (UPDATE_SUMS=1)" >&2
  exit 1
fi

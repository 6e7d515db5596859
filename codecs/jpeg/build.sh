#!/bin/sh
# Builds core/codecs/jpeg.wasm: Debian's libjpeg-turbo 1:2.1.5-2 plus binding.c, as a WASI
# reactor for workerd, Node and browsers (the host is core/codecs/wasm-host.ts).
#
# Needs (Debian bookworm): clang lld llvm wasi-libc libclang-rt-14-dev-wasm32 cmake make
# dpkg-dev xz-utils (llvm for llvm-ar: wasm-ld wants archive indexes GNU ar cannot write),
# and deb-src lines in apt's sources (then `apt-get update`) so `apt-get source` finds it.
# CI runs it as root; any user works where apt can write the download into the build dir.
#
# Reproducible: the sources are pinned by SHA256SUMS, the build runs in a fixed directory
# ($JPEG_BUILD_DIR, default /tmp/codecs-jpeg-build) with its path and the checkout's mapped
# away, and debug info is stripped, so the .wasm is byte-identical across runs, checkouts and
# machines with the same toolchain (clang 14.0.6). The last line of SHA256SUMS is the output:
#   sha256sum --check --ignore-missing codecs/jpeg/SHA256SUMS    (from the repository root)
# The script fails if the output differs from it; `build.sh --update` rewrites that line.
set -eu

VERSION=1:2.1.5-2
UPSTREAM=2.1.5
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SUMS="$HERE/SHA256SUMS"
OUT="$REPO/core/codecs/jpeg.wasm"
BUILD=${JPEG_BUILD_DIR:-/tmp/codecs-jpeg-build}
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1

case "$(clang --version | head -1)" in
  *"clang version 14."*) ;;
  *) echo "warning: expected clang 14; the output will not match SHA256SUMS" >&2 ;;
esac

# 1. Sources: download once, verify every time (a cached download that fails is fetched anew).
mkdir -p "$BUILD/download"
cd "$BUILD/download"
verify() { grep -v ' core/codecs/' "$SUMS" | sha256sum --check --strict --quiet; }
if ! verify >/dev/null 2>&1; then
  rm -f ./*
  apt-get source --download-only "libjpeg-turbo=$VERSION"
  verify
fi

# 2. Unpack (dpkg-source applies Debian's patches) into a fresh tree.
rm -rf "$BUILD/src" "$BUILD/cmake" "$BUILD/out"
dpkg-source --no-check -x "libjpeg-turbo_${VERSION#1:}.dsc" "$BUILD/src" >/dev/null
mkdir -p "$BUILD/cmake" "$BUILD/out"

# 3. libjpeg.a, 8-bit only, no SIMD assembly (clang still vectorises with simd128).
# USE_CLZ_INTRINSIC: the Huffman encoders count bits with i32.clz instead of two 64 KiB tables.
MAP="-ffile-prefix-map=$BUILD=/build -fdebug-prefix-map=$BUILD=/build -ffile-prefix-map=$REPO=/repo"
CFLAGS="-O2 -msimd128 --sysroot=/usr -I/usr/include/wasm32-wasi $MAP"
mkdir -p "$BUILD/Platform"
: >"$BUILD/Platform/WASI.cmake" # CMake 3.25 has none: keep its generic defaults, minus the warning
cat >"$BUILD/wasi.cmake" <<CMAKE
list(APPEND CMAKE_MODULE_PATH "$BUILD")
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_AR llvm-ar)
set(CMAKE_RANLIB llvm-ranlib)
set(CMAKE_C_FLAGS_INIT "$CFLAGS")
CMAKE
cd "$BUILD/cmake"
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$BUILD/src/debian/changelog" -S Timestamp) \
cmake "$BUILD/src" -DCMAKE_TOOLCHAIN_FILE="$BUILD/wasi.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="-DNDEBUG -DUSE_CLZ_INTRINSIC" -DBUILD="$UPSTREAM" \
  -DWITH_SIMD=0 -DENABLE_SHARED=0 -DWITH_TURBOJPEG=0 -DWITH_ARITH_ENC=0 >/dev/null
make -j"$(nproc)" jpeg-static >/dev/null

# 4. The binding, linked as a reactor (exports functions, no main); exports are named in binding.c.
cp "$HERE/binding.c" "$BUILD/out/binding.c"
cd "$BUILD/out"
# shellcheck disable=SC2086
clang --target=wasm32-wasi $CFLAGS -I"$BUILD/src" -I"$BUILD/cmake" -mexec-model=reactor \
  -Wall -Wextra -Werror -Wno-unused-parameter \
  binding.c "$BUILD/cmake/libjpeg.a" -o jpeg.wasm \
  -Wl,--export=malloc,--export=free,--strip-all,--gc-sections
cp jpeg.wasm "$OUT"

# 5. Compare with the recorded hash.
HASH=$(sha256sum "$OUT" | cut -d' ' -f1)
LINE="$HASH  core/codecs/jpeg.wasm"
if [ "$UPDATE" = 1 ]; then
  { grep -v ' core/codecs/jpeg.wasm$' "$SUMS"; echo "$LINE"; } >"$SUMS.new" && mv "$SUMS.new" "$SUMS"
elif ! grep -qx "$LINE" "$SUMS"; then
  echo "core/codecs/jpeg.wasm ($HASH) differs from SHA256SUMS; rerun with --update if intended" >&2
  exit 1
fi
echo "core/codecs/jpeg.wasm: $(wc -c <"$OUT") bytes, sha256 $HASH"

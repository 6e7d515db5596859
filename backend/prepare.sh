#!/bin/sh
# Writes the Triton model repository's model files (for operators; not run in CI):
#   model_repository/u2netp/1/model.onnx  from models/u2netp.onnx (in this repository)
#   model_repository/u2net/1/model.onnx   from rembg's release asset u2net.onnx, downloaded
#                                         once into backend/.cache and verified (size, sha256)
# Both get a symbolic batch dimension for dynamic batching (make_batchable.py).
# Needs curl, sha256sum and python3 with onnx (Debian: apt-get install python3-onnx).
#
#   backend/prepare.sh                 # FP32 input (GPU_INPUT_DATATYPE = "FP32")
#   backend/prepare.sh --fp16-input    # FP16 input: then set data_type: TYPE_FP16 in both
#                                      # config.pbtxt and GPU_INPUT_DATATYPE = "FP16"
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
URL=https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2net.onnx
BYTES=175997641
SHA256=8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491
CACHE=${CACHE:-$HERE/.cache}
PYTHON=${PYTHON:-python3}
FP16=""
if [ "${1:-}" = "--fp16-input" ]; then FP16=--fp16-input; fi

mkdir -p "$HERE/model_repository/u2netp/1" "$HERE/model_repository/u2net/1"
"$PYTHON" "$HERE/make_batchable.py" "$HERE/../models/u2netp.onnx" "$HERE/model_repository/u2netp/1/model.onnx" $FP16

mkdir -p "$CACHE"
if [ ! -f "$CACHE/u2net.onnx" ]; then
  curl -fL --retry 3 -o "$CACHE/u2net.onnx.part" "$URL"
  mv "$CACHE/u2net.onnx.part" "$CACHE/u2net.onnx"
fi
size=$(wc -c < "$CACHE/u2net.onnx")
if [ "$size" -ne "$BYTES" ]; then
  echo "u2net.onnx is $size bytes, expected $BYTES: removed, run again" >&2
  rm -f "$CACHE/u2net.onnx"
  exit 1
fi
echo "$SHA256  $CACHE/u2net.onnx" | sha256sum -c -
"$PYTHON" "$HERE/make_batchable.py" "$CACHE/u2net.onnx" "$HERE/model_repository/u2net/1/model.onnx" $FP16

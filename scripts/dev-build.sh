#!/usr/bin/env bash
# Builds the WASM modules to private files so parallel work does not overwrite build/:
#   bash scripts/dev-build.sh NAME   -> /tmp/wasmgrad-NAME.wasm (SIMD), -relaxed.wasm, -scalar.wasm
# then run tests against them:  WASMGRAD_WASM=/tmp/wasmgrad-NAME.wasm npx vitest run test/...
# (vitest.config.ts runs the op-table suite on the -relaxed and -scalar files next to it too).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-dev}"
npx tsx scripts/gen-ops.ts
npx asc assembly/index.ts --target release -o "/tmp/wasmgrad-$name.wasm" -t "/tmp/wasmgrad-$name.wat"
npx asc assembly/index.ts --target relaxed -o "/tmp/wasmgrad-$name-relaxed.wasm"
npx asc assembly/index.ts --target scalar -o "/tmp/wasmgrad-$name-scalar.wasm"
echo "built /tmp/wasmgrad-$name.wasm, /tmp/wasmgrad-$name-relaxed.wasm, /tmp/wasmgrad-$name-scalar.wasm"

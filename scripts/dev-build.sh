#!/usr/bin/env bash
# Builds the WASM module to a private file so parallel work does not overwrite build/wasmgrad.wasm:
#   bash scripts/dev-build.sh NAME   -> /tmp/wasmgrad-NAME.wasm
# then run tests against it:  WASMGRAD_WASM=/tmp/wasmgrad-NAME.wasm npx vitest run test/...
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-dev}"
npx tsx scripts/gen-ops.ts
npx asc assembly/index.ts --target release -o "/tmp/wasmgrad-$name.wasm" -t "/tmp/wasmgrad-$name.wat"
echo "built /tmp/wasmgrad-$name.wasm"

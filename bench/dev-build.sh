#!/usr/bin/env bash
# Developer helper: builds a PRIVATE copy of wasmgrad into bench/.wg/ (bench/.wg-NAME/ when given
# NAME; git-ignored), so the bench can be worked on while the shared build/ and dist/ are rebuilt:
#   bash bench/dev-build.sh && WASMGRAD_DIST=./.wg/index.js node bench/run.mjs --quick
# `npm run bench` itself always measures the repo's build, ../dist/index.js.
set -euo pipefail
cd "$(dirname "$0")/.."
out="bench/.wg${1:+-$1}"
mkdir -p "$out"
npx tsx scripts/gen-ops.ts >/dev/null
npx asc assembly/index.ts --target release -o $out/wasmgrad.wasm -t $out/wasmgrad.wat
npx esbuild src/index.ts --bundle --format=esm --platform=node --target=es2022 --outfile=$out/index.js \
  --log-level=warning
# Point the source-mode default URL (../../../build/wasmgrad.wasm) at the private .wasm.
sed -i "s#new URL(\"../../../build/wasmgrad.wasm\", import.meta.url)#new URL('./wasmgrad.wasm', import.meta.url)#" $out/index.js
grep -q "new URL('./wasmgrad.wasm', import.meta.url)" $out/index.js || { echo "dev-build: could not repoint the .wasm URL" >&2; exit 1; }
echo "built $out/index.js + wasmgrad.wasm"

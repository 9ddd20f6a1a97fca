// What bundlers substitute for the Node built-ins tfjs-backend-wasm's ESM build imports (its
// package.json "browser" field maps fs, path, perf_hooks and os to false): Emscripten's glue reads
// them only when it runs under Node.
export default {};

// `npm run demo` serves the repository root (the demo at /demo/, the package at /dist/) on
// 127.0.0.1 with no dependencies: correct MIME types (application/wasm lets the browser compile
// while downloading) and COOP same-origin + COEP require-corp, so the page is cross-origin
// isolated (SharedArrayBuffer, precise timers) as a production host for wasm apps would set it up.
// PORT=… picks the port (default 8080; a free one when that is taken).
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
};
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

for (const need of ['dist/index.js', 'demo/data/mnist-10k.bin'])
  if (!statSync(join(ROOT, need), { throwIfNoEntry: false }))
    console.warn(`serve: ${need} is missing: run \`npm run build\` and \`npm run build:demo\` (npm run demo does the latter)`);

const server = createServer((req, res) => {
  const send = (status, text, extra = {}) => {
    res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(400, 'bad URL\n');
  }
  if (path === '/') return send(302, 'see /demo/\n', { Location: '/demo/' });
  let file = normalize(join(ROOT, path));
  if (file !== ROOT.slice(0, -1) && !file.startsWith(ROOT)) return send(403, 'outside the served folder\n');
  if (file.split(sep).includes('node_modules') || file.split(sep).some((p) => p.startsWith('.') && p.length > 1)) return send(404, 'not found\n');
  let st = statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory()) {
    if (!path.endsWith('/')) return send(301, 'moved\n', { Location: `${path}/` });
    file = join(file, 'index.html');
    st = statSync(file, { throwIfNoEntry: false });
  }
  if (!st?.isFile()) return send(404, `not found: ${path}\n`);
  res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});

const listen = (port) => server.listen(port, '127.0.0.1');
server.on('error', (e) => {
  if (e.code !== 'EADDRINUSE' || server.listening) throw e;
  console.warn(`serve: port ${e.port ?? ''} is taken, using a free one`);
  listen(0);
});
server.on('listening', () => console.log(`wasmgrad demo: http://127.0.0.1:${server.address().port}/demo/  (Ctrl+C stops)`));
listen(Number(process.env.PORT ?? 8080));

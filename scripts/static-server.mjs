// One static file server for the demo (scripts/serve.mjs), the browser tests (test/browser/) and
// the browser bench (bench/browser/): 127.0.0.1, the MIME types browsers insist on
// (application/wasm for streaming compilation, text/javascript for module scripts and workers),
// paths confined to the served folder, and by default COOP/COEP so pages are cross-origin isolated.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
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
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Serves the folder `root`; a directory answers with its index.html. Options: `isolated` (default
 * true: COOP/COEP headers), `hidden` (answer 404 for dot-folders and node_modules), `extra`
 * ({ path: bytes } answered from memory), `home` (where `/` redirects), `port` (default 0: a free
 * one; a taken port falls back to a free one).
 * Resolves to { url, port, close() }.
 */
export async function serve(root, { isolated = true, hidden = false, extra = {}, home, port = 0 } = {}) {
  const base = normalize(root + sep);
  const headers = { ...(isolated ? ISOLATION : {}), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
  const server = createServer((req, res) => {
    const send = (status, text, more = {}) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', ...more });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad URL\n');
    }
    if (extra[path]) return void res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(extra[path]);
    if (path === '/' && home) return send(302, `see ${home}\n`, { Location: home });
    let file = normalize(join(base, path));
    if (file !== base.slice(0, -1) && !file.startsWith(base)) return send(403, 'outside the served folder\n');
    const parts = file.slice(base.length).split(sep);
    if (hidden && parts.some((p) => p === 'node_modules' || (p.startsWith('.') && p.length > 1))) return send(404, 'not found\n');
    let st = statSync(file, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      if (!path.endsWith('/')) return send(301, 'moved\n', { Location: `${path}/` });
      file = join(file, 'index.html');
      st = statSync(file, { throwIfNoEntry: false });
    }
    if (!st?.isFile()) return send(404, `not found: ${path}\n`);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('listening', ok);
    server.on('error', (e) => {
      if (e.code !== 'EADDRINUSE' || port === 0) return fail(e);
      console.warn(`serve: port ${port} is taken, using a free one`);
      server.listen(0, '127.0.0.1');
    });
    server.listen(port, '127.0.0.1');
  });
  const bound = server.address().port;
  return { url: `http://127.0.0.1:${bound}`, port: bound, close: () => new Promise((ok) => server.close(() => ok())) };
}

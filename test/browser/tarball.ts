/**
 * The package as users get it: `npm pack` of the repository (its current dist/, as test/package.test.ts
 * uses it) installed with npm into a fresh project in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A new temporary project (package.json `type` as given) with the packed wasmgrad installed; its path. */
export function projectWithTarball(name: string, type: 'module' | 'commonjs' = 'module'): string {
  const dir = mkdtempSync(join(tmpdir(), `wasmgrad-${name}-`));
  // --ignore-scripts: pack the dist/ the other tests use instead of rebuilding it through `prepare`.
  npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], ROOT);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tgz}`], dir);
  return dir;
}

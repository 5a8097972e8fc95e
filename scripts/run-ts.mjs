// Runs a TypeScript script (demo, benchmarks) by bundling it with esbuild into a temporary
// file first: no TypeScript loader needed at run time, and Node 20 runs it as plain ESM.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
// Inside the repository (git-ignored), so the bundle resolves node_modules.
const base = fileURLToPath(new URL('../.tmp/', import.meta.url));
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(join(base, 'run-'));
const out = join(dir, 'main.mjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  process.argv = [process.argv[0], out, ...args];
  const mod = await import(pathToFileURL(out).href);
  if (typeof mod.main === 'function') {
    const code = await mod.main(args);
    if (typeof code === 'number') process.exitCode = code;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

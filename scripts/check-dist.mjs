// Fails when dist/ is not exactly what `npm run bundle` builds from the sources.
// AFC_BUILT_DIR names a build made already (the test suite's fresh bundle); otherwise this builds one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const prebuilt = process.env.AFC_BUILT_DIR;
const tmp = prebuilt ?? mkdtempSync(join(tmpdir(), 'afc-dist-'));
try {
  if (!prebuilt) {
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs')], {
      cwd: root,
      env: { ...process.env, AFC_OUTDIR: tmp },
      stdio: 'inherit',
    });
  }
  const list = (dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort();
  const built = list(tmp);
  const committed = list(join(root, 'dist'));
  const problems = [];
  for (const f of new Set([...built, ...committed])) {
    if (!built.includes(f)) problems.push(`dist/${f} is not built from the sources (remove it)`);
    else if (!committed.includes(f)) problems.push(`dist/${f} is missing`);
    else if (!readFileSync(join(tmp, f)).equals(readFileSync(join(root, 'dist', f))))
      problems.push(`dist/${f} differs from the build`);
  }
  if (problems.length) {
    console.error(`dist/ is out of date; run \`npm run bundle\` and commit dist/:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`dist/ matches the build (${built.length} files).`);
} finally {
  if (!prebuilt) rmSync(tmp, { recursive: true, force: true });
}

/**
 * dist/ is committed and must be exactly what `npm run bundle` builds from the sources:
 * the end-to-end tests run it, and so does every workflow that uses the action.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('dist/ is what npm run bundle builds', async () => {
  const root = new URL('..', import.meta.url).pathname;
  const run = await promisify(execFile)(process.execPath, ['scripts/check-dist.mjs'], { cwd: root }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  expect(run.out).toContain('dist/ matches the build');
  expect(run.code).toBe(0);
}, 60_000);

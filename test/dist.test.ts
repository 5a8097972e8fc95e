/**
 * dist/ is committed and must be exactly what `npm run bundle` builds from the sources: every
 * workflow that uses the action runs it. The end-to-end tests run the fresh bundle that
 * test/support/global-setup.ts builds (AFC_TEST_DIST); this compares the committed dist/ with that one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('dist/ is what npm run bundle builds', async () => {
  const root = new URL('..', import.meta.url).pathname;
  const run = await promisify(execFile)(process.execPath, ['scripts/check-dist.mjs'], {
    cwd: root,
    env: { ...process.env, ...(process.env['AFC_TEST_DIST'] ? { AFC_BUILT_DIR: process.env['AFC_TEST_DIST'] } : {}) },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
  expect(run.out).toContain('dist/ matches the build');
  expect(run.code).toBe(0);
}, 60_000);

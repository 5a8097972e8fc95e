/**
 * Vitest global setup:
 * - one test TLS certificate for the whole run (RSA key generation is the slow part). Test
 *   workers find it through AFC_TEST_CA_DIR (read by the Entra stand-in) or `inject('afcTestCertificate')`;
 * - a fresh bundle of the sources in a temporary folder (AFC_TEST_DIST), so the end-to-end suite
 *   tests what the sources build now, not whatever dist/ was last committed. test/dist.test.ts
 *   proves the committed dist/ equal to this same bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { createTestCertificate, type TestCertificate } from './tls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    afcTestCertificate: TestCertificate;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'afc-ca-'));
  const dist = await mkdtemp(join(tmpdir(), 'afc-test-dist-'));
  const [certificate] = await Promise.all([createTestCertificate(dir), bundleInto(dist)]);
  process.env['AFC_TEST_CA_DIR'] = dir;
  process.env['AFC_TEST_DIST'] = dist;
  project.provide('afcTestCertificate', certificate);
  return async () => {
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(dist, { recursive: true, force: true })]);
  };
}

/** `npm run bundle` into `outdir` (scripts/bundle.mjs honours AFC_OUTDIR). */
async function bundleInto(outdir: string): Promise<void> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await promisify(execFile)(process.execPath, [join(root, 'scripts/bundle.mjs')], {
    cwd: root,
    env: { ...process.env, AFC_OUTDIR: outdir },
  });
}

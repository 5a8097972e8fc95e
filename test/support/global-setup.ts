/**
 * Vitest global setup: one test TLS certificate for the whole run (RSA key generation is
 * the slow part). Test workers find it through AFC_TEST_CA_DIR (read by the Entra
 * stand-in) or `inject('afcTestCertificate')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createTestCertificate, type TestCertificate } from './tls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    afcTestCertificate: TestCertificate;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'afc-ca-'));
  const certificate = await createTestCertificate(dir);
  process.env['AFC_TEST_CA_DIR'] = dir;
  project.provide('afcTestCertificate', certificate);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

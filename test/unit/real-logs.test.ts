/**
 * `explain` over real failed-login logs copied from public threads (sources in
 * test/fixtures/real-logs/index.ts): each must lead with the finding the thread's cause proves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/cli/explain.js';
import { detectLoginTool } from '../../src/diagnose/login-tool.js';
import { REAL_LOGS } from '../fixtures/real-logs/index.js';

const read = (file: string) => readFileSync(new URL(`../fixtures/real-logs/${file}`, import.meta.url), 'utf8');

describe('real failed-login logs', () => {
  it('has at least 40, each with a public source', () => {
    expect(REAL_LOGS.length).toBeGreaterThanOrEqual(40);
    for (const log of REAL_LOGS)
      expect(log.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/(?:issues|pull|discussions)\/\d+/);
  });

  it.each(REAL_LOGS.map((l) => [l.file, l] as const))('%s', (_file, log) => {
    const result = explainText(read(log.file));
    expect(result.findings[0]?.id).toBe(log.expect);
    expect(detectLoginTool(read(log.file))).toBe(log.tool);
  });
});

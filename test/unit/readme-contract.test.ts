/**
 * README is the public contract: every finding id, input and output the code knows is documented there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FINDING_IDS } from '../../src/diagnose/finding.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};

describe('README documents the contract', () => {
  it.each([...FINDING_IDS])('finding id %s', (id) => {
    expect(readme).toContain(`| \`${id}\` |`);
  });

  it.each(Object.keys(action.inputs))('input %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\|[^\\n]*\`${name}\`[^\\n]*\\|`));
  });

  it.each(Object.keys(action.outputs))('output %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\|[^\\n]*\`${name}\`[^\\n]*\\|`));
  });

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});

/**
 * The facts the code relies on live in docs/, each with its public source; comments cite those files,
 * never a file outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = ['src', 'scripts', 'test']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, String(f))))
  .filter((f) => /\.(ts|mjs)$/.test(f) && !f.startsWith(join('test', 'fixtures')));

describe('docs/', () => {
  it('every docs/ file a source cites exists', () => {
    const cited = new Set<string>();
    for (const f of sources)
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/docs\/[\w-]+\.md/g)) cited.add(m[0]);
    expect(cited.size).toBeGreaterThan(0);
    expect([...cited].filter((d) => !existsSync(join(root, d)))).toEqual([]);
  });

  it('no source cites a file outside the repository', () => {
    const outside = /\/work\/shared|\.\.\/shared\/|(?:github-oidc|entra)-facts\.md/;
    expect(sources.filter((f) => outside.test(readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });

  it.each(['github-oidc.md', 'entra-matching.md', 'aadsts-texts.md', 'failure-modes.md'])(
    '%s names its public sources',
    (name) => {
      expect(readFileSync(join(root, 'docs', name), 'utf8')).toMatch(
        /https:\/\/(github\.com|docs\.github\.com|learn\.microsoft\.com)\//,
      );
    },
  );
});

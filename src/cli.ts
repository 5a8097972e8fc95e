// CLI entry (bundled to dist/cli.js; the bundler adds the shebang). Commands load lazily.
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`azure-federation-check: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    process.exitCode = 2;
  },
);

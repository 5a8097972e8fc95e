/**
 * The action's entry point (action.yml `main`). Kept tiny: everything loads from here on demand.
 */
import { runAction } from './action/run.js';
import { formatCommand } from './report/workflow-commands.js';

runAction({ stdout: (line) => process.stdout.write(`${line}\n`), env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A bug of ours: say so in one annotation, never a stack trace in the log.
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stdout.write(`${formatCommand('error', { title: 'azure-federation-check failed unexpectedly' }, `${message}\nPlease report this with the run's log (set RUNNER_DEBUG=1 for details).`)}\n`);
    if (process.env.RUNNER_DEBUG === '1' && e instanceof Error && e.stack) process.stdout.write(`${formatCommand('debug', {}, e.stack)}\n`);
    process.exitCode = 1;
  },
);

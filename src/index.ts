/**
 * The action's entry point (action.yml `main`). The check's first step (its inputs) is part of this
 * module; everything else loads on demand. The other modes are bundled apart (scripts/bundle.mjs):
 * a run is one mode, so they share no file with the check.
 */
import { runAction } from './action/run.js';
import { debugLine, failStep, readInput, readSecretInput } from './report/runner-log.js';

const io = { env: process.env };
// A token given as `github-token` is a secret in every mode, registered before anything is printed.
readSecretInput('github-token');
// `mode: audit` checks the repository's workflows before merge, `mode: trust` who can become the identities;
// anything else is the check.
const mode = readInput('mode').toLowerCase();
const run =
  mode === 'audit'
    ? import('./action/audit-mode.js').then((m) => m.runAuditMode(io))
    : mode === 'trust'
      ? import('./action/trust-mode.js').then((m) => m.runTrustMode(io))
      : mode === '' || mode === 'check'
        ? runAction(io)
        : Promise.resolve().then(() => {
            failStep(
              "Input 'mode' is not valid",
              `Input 'mode' is '${mode.slice(0, 40)}'; use check (default), audit or trust.` +
                '\n\nFix:\n    with:\n      mode: check',
            );
            return 1;
          });

run.then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A bug of ours: say so in one annotation, never a stack trace in the log.
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    failStep(
      'azure-federation-check failed unexpectedly',
      `${message}\nPlease report this with the run's log (set RUNNER_DEBUG=1 for details).`,
    );
    if (e instanceof Error && e.stack) debugLine(e.stack);
  },
);

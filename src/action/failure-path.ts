/**
 * What only a run with something to explain needs, loaded as one module: findings placed on their
 * workflow lines (the workflow parser), Entra's error catalog, and the lint of the other credentials.
 * One module, so a passing check loads none of it and a failing one loads it in one go (each file the
 * runtime loads costs start-up time of its own). Azure's own view (azure-step.ts) loads apart: it
 * brings the HTTP stack, which a run that failed on its inputs has no use for.
 */
export { placeFindings } from './placement.js';
export { diagnoseEntraError } from '../diagnose/entra-findings.js';
export { auditWorkflows } from '../workflow/audit.js';
export { withClientId } from '../diagnose/fix-commands.js';

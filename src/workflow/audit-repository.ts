/**
 * Auditing a checked-out repository: read its workflows, predict every Azure-login job's
 * subject and match it against the credentials. Shared by the CLI's `audit` and the action's
 * `mode: audit`.
 */
import { auditWorkflowsDetailed, type AuditContext, type AuditResult } from './audit.js';
import { readWorkflows } from './read-workflows.js';
import type { FederatedCredential } from '../entra/credential.js';
import type { Finding } from '../diagnose/finding.js';

export interface RepositoryAudit extends AuditResult {
  /** No `.github/workflows` folder was found. */
  missing: boolean;
  /** Workflow files that do not parse (each becomes a warning finding). */
  parseErrors: number;
}

export async function auditRepository(
  root: string,
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
  loginActions?: readonly string[],
  deadline?: number,
): Promise<RepositoryAudit> {
  const { workflows, unread, missing } = await readWorkflows(root, {
    ...(loginActions ? { loginActions } : {}),
    repository: `${ctx.owner}/${ctx.repo}`,
    ...(deadline !== undefined ? { deadline } : {}),
  });
  const result = auditWorkflowsDetailed(workflows, credentials, { ...ctx, workflows });
  const yamlProblems: Finding[] = unread.map((u) => ({
    id: u.refused ? 'credential-lint' : 'input-truncated',
    severity: 'warning',
    title: `Workflow ${u.path} was not read, so its jobs were not audited`,
    message: `${u.path} ${u.reason}.`,
    fix: u.refused
      ? 'Keep workflows as regular files of the repository ' +
        '(no links out of it, no directories named *.yml, under 1 MiB).'
      : "Raise 'timeout-seconds' (up to 600), or audit a checkout with fewer workflow files.",
    location: { file: u.path },
  }));
  for (const w of workflows) {
    const e = w.errors.find((x) => x.kind === 'yaml');
    if (e)
      yamlProblems.push({
        id: 'credential-lint',
        severity: 'warning',
        title: `Workflow ${w.path} does not parse, so its jobs were not audited`,
        message: e.message,
        fix: 'Fix the YAML (GitHub would reject this workflow too).',
        location: { file: w.path, line: e.line },
      });
  }
  return { ...result, findings: [...yamlProblems, ...result.findings], missing, parseErrors: yamlProblems.length };
}

/** `OWNER/REPO` from a git remote URL (https, ssh or scp-like). */
export function repositoryFromRemote(url: string): string | undefined {
  const m = /github[^/:]*[/:]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

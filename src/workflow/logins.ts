/**
 * Which steps of a job request a GitHub OIDC token to log in to Azure. Only a step that asks
 * GitHub for a token counts: azure/login without a secret, this action, Terraform or an SDK told
 * to use OIDC, azd/az/PowerShell given a federated token, `core.getIDToken` in github-script,
 * a request to `ACTIONS_ID_TOKEN_REQUEST_URL`, or a composite action whose own steps do one of
 * those. `azure/cli` and `azure/powershell` run commands with an earlier login and request no
 * token (docs/github-oidc.md, "Getting the token inside a job"). Pure: the repository files a
 * decision needs (composite actions, Terraform files) come in `RepositoryFacts`.
 */
import type { AzureLoginKind, AzureLoginMarker, WorkflowJob, WorkflowStep } from './parse.js';

/** A local composite action: its steps, as read from its `action.yml`. */
export interface CompositeAction {
  /** Repository-relative path of the `action.yml`. */
  file: string;
  steps: WorkflowStep[];
}

/** What the workflow files alone do not show, read by the I/O adapter (read-workflows.ts). */
export interface RepositoryFacts {
  /** Local actions by their directory as written after `./` (`.github/actions/login`). */
  actions?: ReadonlyMap<string, CompositeAction>;
  /** Directories (repository-relative, `.` for the root) whose `.tf` files set `use_oidc = true`. */
  terraformOidcDirs?: ReadonlyMap<string, { file: string; line: number }>;
}

interface LoginOptions {
  /** More action names that log in to Azure with OIDC (`owner/name` or `./path`), case-insensitive. */
  loginActions?: readonly string[];
  facts?: RepositoryFacts;
  /** `owner/repo` of the workflows: `uses: ./` names this repository's own action (azure/login tests itself so). */
  repository?: string;
}

const TRUTHY = new Set(['true', 'True', 'TRUE', '1', 'yes']);
const MAX_COMPOSITE_DEPTH = 3;

function actionName(uses: string): string {
  const at = uses.lastIndexOf('@');
  return (at > 0 ? uses.slice(0, at) : uses).toLowerCase().replace(/\/+$/, '');
}

/** `./.github/actions/x` → `.github/actions/x`. */
export function localActionDir(uses: string): string | undefined {
  if (!uses.startsWith('./')) return undefined;
  const at = uses.lastIndexOf('@');
  // Paths keep their case: the file system may be case-sensitive.
  return (
    (at > 0 ? uses.slice(0, at) : uses)
      .slice(2)
      .replace(/\/action\.ya?ml$/, '')
      .replace(/\/+$/, '') || '.'
  );
}

/** Actions that never request an Azure OIDC token themselves (they use an earlier login, or none). */
const NOT_LOGIN_AZURE_ACTIONS = [
  'cli',
  'powershell',
  'setup-',
  'get-keyvault-secrets',
  'docker-login',
  'k8s-',
  'aks-set-context',
  'webapps-deploy',
  'functions-action',
  'arm-deploy',
  'bicep-deploy',
  'container-apps-deploy-action',
  'static-web-apps-deploy',
  'load-testing',
  'use-kubelogin',
  'appservice-settings',
  'sql-action',
  'mysql',
  'postgresql',
  'data-factory',
  'spring-apps',
  'pipelines',
  'container-scan',
  'CLI',
];
const NOT_LOGINS = new RegExp(
  `^(actions\\/|github\\/|azure\\/(${NOT_LOGIN_AZURE_ACTIONS.join('|')})` +
    '|hashicorp\\/setup-|docker\\/|peter-evans\\/|dorny\\/)',
  'i',
);

const TERRAFORM_RUN = new RegExp(
  '(^|[\\s;&|(/])((terraform|terragrunt|tofu)\\s+' +
    '(init|plan|apply|destroy|import|refresh|output|state|validate|-chdir)' +
    '|pulumi\\s+(up|preview|destroy|refresh))',
  'm',
);

function isTerraformStep(step: WorkflowStep): boolean {
  if (step.run && TERRAFORM_RUN.test(step.run)) return true;
  const name = step.uses ? actionName(step.uses) : '';
  return (
    /terraform|terragrunt|opentofu|pulumi/.test(name) &&
    !/setup-(terraform|terragrunt|opentofu)|tflint|tfsec|checkov|docs/.test(name)
  );
}

function mark(
  step: WorkflowStep,
  kind: AzureLoginKind,
  reason: string,
  extra: Partial<AzureLoginMarker> = {},
): AzureLoginMarker {
  return { kind, line: step.line, stepIndex: step.index, reason, ...extra };
}

/** A step's own login (its action, its script, its variables), given the variables it sees. */
function ownLogin(
  step: WorkflowStep,
  env: Record<string, string>,
  options: LoginOptions,
  dir: string | undefined,
): AzureLoginMarker | undefined {
  if (step.uses) {
    const own = localActionDir(step.uses) === '.' && options.repository;
    const name = own ? options.repository!.toLowerCase() : actionName(step.uses);
    if (name === 'azure/login') {
      const authType = (step.with['auth-type'] ?? '').toUpperCase();
      // `creds:` without client-id is a service principal secret; `auth-type: IDENTITY` is a managed identity.
      if (authType !== 'IDENTITY' && !('creds' in step.with && !('client-id' in step.with)))
        return mark(
          step,
          'azure-login',
          `uses ${step.uses}, which requests a GitHub OIDC token (client-id without a secret)`,
        );
      return undefined;
    }
    if (name.endsWith('azure-federation-check'))
      return mark(
        step,
        'this-action',
        `uses ${step.uses}, which requests a GitHub OIDC token and exchanges it with Entra`,
      );
    if ((options.loginActions ?? []).some((a) => actionName(a) === name))
      return mark(step, 'extra-action', `uses ${step.uses}, listed as an action that logs in to Azure`);
    if (name === 'actions/github-script' && /getIDToken\s*\(/.test(step.with.script ?? ''))
      return mark(
        step,
        'id-token-request',
        `uses ${step.uses} with a script that calls core.getIDToken, which requests a GitHub OIDC token`,
      );
  }
  const run = step.run ?? '';
  if (/ACTIONS_ID_TOKEN_REQUEST_URL/.test(run) && /ACTIONS_ID_TOKEN_REQUEST_TOKEN/.test(run))
    return mark(step, 'id-token-request', 'requests a token from ACTIONS_ID_TOKEN_REQUEST_URL (a GitHub OIDC token)');
  if (/\baz\s+login\b[^\n]*--federated-token/.test(run.replace(/\\\n/g, ' ')))
    return mark(step, 'id-token-request', 'runs `az login --federated-token` with a GitHub OIDC token');
  if (/\bazd\s+auth\s+login\b[^\n]*--federated-credential-provider\s+["']?github/.test(run.replace(/\\\n|`\n/g, ' ')))
    return mark(
      step,
      'env-client-id-oidc',
      'runs `azd auth login --federated-credential-provider github`, which requests a GitHub OIDC token',
    );
  if (/Connect-AzAccount\b[^\n]*-FederatedToken/i.test(run.replace(/`\n/g, ' ')))
    return mark(step, 'id-token-request', 'runs `Connect-AzAccount -FederatedToken` with a GitHub OIDC token');
  const own = step.env;
  if (own.AZURE_FEDERATED_TOKEN_FILE)
    return mark(
      step,
      'env-federated-token-file',
      'sets AZURE_FEDERATED_TOKEN_FILE (Azure SDK / azd workload identity login)',
    );
  if (TRUTHY.has(own.ARM_USE_OIDC ?? ''))
    return mark(step, 'env-arm-use-oidc', 'sets ARM_USE_OIDC: true (Terraform azurerm/azuread OIDC login)');
  const hasSecret = !!(env.AZURE_CLIENT_SECRET || env.ARM_CLIENT_SECRET);
  if (hasSecret) return undefined;
  if (isTerraformStep(step)) {
    // Variables of the job or workflow reach this step: Terraform (azurerm/azuread) reads them.
    if (TRUTHY.has(env.ARM_USE_OIDC ?? ''))
      return mark(step, 'env-arm-use-oidc', 'runs Terraform with ARM_USE_OIDC: true (azurerm/azuread OIDC login)', {
        inherited: true,
      });
    if (/use_oidc\s*=\s*"?true/i.test(run) && (env.ARM_CLIENT_ID || env.AZURE_CLIENT_ID))
      return mark(step, 'terraform-use-oidc', 'runs Terraform with use_oidc=true (azurerm/azuread OIDC login)');
    const tf = dir !== undefined ? options.facts?.terraformOidcDirs?.get(dir) : undefined;
    if (tf && (env.ARM_CLIENT_ID || env.AZURE_CLIENT_ID))
      return mark(
        step,
        'terraform-use-oidc',
        `runs Terraform in ${dir === '.' ? 'the repository root' : `\`${dir}\``}, ` +
          `whose ${tf.file} line ${tf.line} sets use_oidc = true`,
      );
  }
  const clientId = env.AZURE_CLIENT_ID ?? env.ARM_CLIENT_ID;
  if (clientId && ('ARM_OIDC_TOKEN' in env || 'ARM_OIDC_REQUEST_TOKEN' in env || 'AZURE_USE_OIDC' in env))
    return mark(step, 'env-client-id-oidc', 'sets AZURE_CLIENT_ID and logs in with a federated (OIDC) token');
  return undefined;
}

/** A step that uses a local composite action logs in when one of the action's steps does. */
function compositeLogin(
  step: WorkflowStep,
  env: Record<string, string>,
  options: LoginOptions,
  depth: number,
): AzureLoginMarker | undefined {
  const dir = step.uses ? localActionDir(step.uses) : undefined;
  if (dir === undefined) return undefined;
  const action = options.facts?.actions?.get(dir);
  if (!action || depth >= MAX_COMPOSITE_DEPTH) return undefined;
  for (const inner of action.steps) {
    const innerEnv = Object.assign(Object.create(null) as Record<string, string>, env, inner.env);
    const found = stepLogin(inner, innerEnv, options, undefined, depth + 1);
    if (found)
      return mark(
        step,
        'composite-action',
        `uses ${step.uses}, whose step at ${action.file} line ${inner.line} ${found.reason.replace(/^uses/, 'uses')}`,
        {
          file: action.file,
          innerLine: inner.line,
          ...(inner.condition !== undefined ? { innerCondition: inner.condition } : {}),
        },
      );
  }
  return undefined;
}

function stepLogin(
  step: WorkflowStep,
  env: Record<string, string>,
  options: LoginOptions,
  dir: string | undefined,
  depth: number,
): AzureLoginMarker | undefined {
  return ownLogin(step, env, options, dir) ?? compositeLogin(step, env, options, depth);
}

/** A remote action that might log in: not a known non-login action, given Azure-looking inputs. */
function remoteMaybeLogin(step: WorkflowStep): AzureLoginMarker | undefined {
  if (!step.uses || step.uses.startsWith('./') || step.uses.startsWith('docker://')) return undefined;
  const name = actionName(step.uses);
  if (NOT_LOGINS.test(name)) return undefined;
  const keys = Object.keys(step.with).join(' ');
  if (!/client[-_]?id|tenant[-_]?id|arm_|azure|subscription/i.test(keys)) return undefined;
  return mark(
    step,
    'remote-action',
    `uses ${step.uses}, an action whose steps were not read; given ${Object.keys(step.with)
      .filter((k) => /client|tenant|arm|azure|subscription/i.test(k))
      .join(', ')}, it may log in to Azure with OIDC`,
    {
      uncertain: true,
    },
  );
}

/**
 * Mark the steps of a job that log in (and the job); `workflowEnv` is the workflow's `env:`.
 */
export function markJobLogins(
  job: WorkflowJob,
  workflowEnv: Record<string, string>,
  workflowEnvLines: Record<string, number>,
  options: LoginOptions,
): void {
  const jobEnv = Object.assign(Object.create(null) as Record<string, string>, workflowEnv, job.env);
  for (const step of job.steps) {
    const env = Object.assign(Object.create(null) as Record<string, string>, jobEnv, step.env);
    const dir = normaliseDir(step.workingDirectory ?? job.workingDirectory);
    const marker = stepLogin(step, env, options, dir, 0) ?? remoteMaybeLogin(step);
    if (!marker) continue;
    if (marker.inherited) {
      // One finding line for the variable, where it is set (the job's or the workflow's env:).
      delete marker.inherited;
      if (
        job.azureLogins.some(
          (m) => m.kind === 'env-arm-use-oidc' && m.stepIndex !== undefined && m.line !== job.steps[m.stepIndex]?.line,
        )
      )
        continue;
      const where = job.env.ARM_USE_OIDC !== undefined ? "the job's" : "the workflow's";
      marker.line = job.envLines.ARM_USE_OIDC ?? workflowEnvLines.ARM_USE_OIDC ?? marker.line;
      marker.reason =
        `${where} env sets ARM_USE_OIDC: true, read by Terraform (azurerm/azuread OIDC login) ` +
        `in the step at line ${step.line}`;
    }
    step.azureLogin = marker;
    job.azureLogins.push(marker);
  }
  // The variable is only read by Azure SDKs and azd: set for the whole job, some step of it logs in.
  if (job.azureLogins.length === 0 && !job.uses && jobEnv.AZURE_FEDERATED_TOKEN_FILE) {
    const where = job.env.AZURE_FEDERATED_TOKEN_FILE ? "the job's" : "the workflow's";
    const line = job.envLines.AZURE_FEDERATED_TOKEN_FILE ?? workflowEnvLines.AZURE_FEDERATED_TOKEN_FILE ?? job.line;
    job.azureLogins.push({
      kind: 'env-federated-token-file',
      line,
      reason: `${where} env sets AZURE_FEDERATED_TOKEN_FILE (Azure SDK / azd workload identity login)`,
    });
  }
  job.logsInToAzure = job.azureLogins.some((m) => !m.uncertain);
  job.mayLogInToAzure = job.azureLogins.length > 0;
}

function normaliseDir(dir: string | undefined): string | undefined {
  if (!dir) return '.';
  if (/\$\{\{/.test(dir)) return undefined;
  const d = dir.replace(/^\.\/+/, '').replace(/\/+$/, '');
  return d === '' ? '.' : d;
}

/**
 * `npm run demo`: the real action (dist/index.js) against the built-in stand-ins of GitHub and
 * Entra, with a deliberately mismatched credential: the job declares `environment: Production`,
 * the credential expects the main branch. Shows the annotations and the rendered job summary.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificate } from '../test/support/tls.js';
import { startGitHubStandin, defaultJobContext } from '../test/support/github-standin.js';
import { startEntraStandin } from '../test/support/entra-standin.js';
import { jobEnv, runAction, standinEnv } from '../test/support/run-action.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
/** The workflow the demo job runs, checked out in its workspace so annotations land on its lines. */
const WORKFLOW = `name: deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: Production
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/azure-federation-check@v1
        with:
          client-id: \${{ vars.AZURE_CLIENT_ID }}
          tenant-id: \${{ vars.AZURE_TENANT_ID }}
          federated-credentials-file: .github/azure-federated-credentials.json
`;

const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);

export async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'afc-demo-'));
  const tls = await createTestCertificate(dir);
  const github = await startGitHubStandin({ context: defaultJobContext({ environment: 'Production' }) });
  const credentials = [
    {
      name: 'main',
      issuer: github.issuer,
      subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
    },
    {
      name: 'pull-requests',
      issuer: github.issuer,
      subject: 'repo:octo-org/octo-repo:pull-request',
      audiences: ['api://AzureADTokenExchange'],
    },
  ];
  const entra = await startEntraStandin({
    tls,
    tenants: { [TENANT]: { displayName: 'Contoso', apps: { [CLIENT]: { displayName: 'deploy-app', credentials } } } },
  });
  const workspace = join(dir, 'workspace');
  await mkdir(join(workspace, '.github', 'workflows'), { recursive: true });
  await writeFile(join(workspace, '.github', 'workflows', 'deploy.yml'), WORKFLOW);
  await writeFile(join(workspace, '.github', 'azure-federated-credentials.json'), JSON.stringify(credentials, null, 2));
  try {
    console.log(bold('Job: octo-org/octo-repo, branch main, job `deploy` with `environment: Production`.'));
    console.log(bold('Entra app credentials: "main" (ref:refs/heads/main) and "pull-requests" (pull-request).\n'));
    console.log(bold("Workflow (.github/workflows/deploy.yml in the job's workspace):"));
    console.log(
      WORKFLOW.split('\n')
        .map((l, i) => `${String(i + 1).padStart(3)}  ${l}`)
        .join('\n'),
    );
    console.log(bold('$ node dist/index.js   # as the runner runs it, with INPUT_* and the OIDC variables\n'));
    const r = await runAction({
      inputs: {
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'authority-host': entra.authorityHost,
        'federated-credentials-file': '.github/azure-federated-credentials.json',
      },
      env: {
        ...jobEnv(github.context),
        GITHUB_JOB: 'deploy',
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check',
        ...standinEnv(github, entra),
      },
    });
    for (const c of r.commands) {
      if (c.command === 'add-mask') {
        console.log(`::add-mask::***   (the token, masked before anything else ran)`);
        continue;
      }
      const where = c.properties.file ? ` ${c.properties.file}:${c.properties.line ?? ''}` : '';
      console.log(`${bold(`[${c.command}]${where} ${c.properties.title ?? ''}`)}\n${c.message}\n`);
    }
    console.log(bold(`exit code ${r.code}; outputs: result=${r.outputs.result} subject=${r.outputs.subject}\n`));
    console.log(bold('--- job summary (GITHUB_STEP_SUMMARY, markdown) ---\n'));
    console.log(r.summary);
    return r.code === 1 && r.outputs.result === 'fail' ? 0 : 1;
  } finally {
    await github.close();
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `audit`: every workflow in .github/workflows whose jobs log in to Azure, matched against
 * the credentials; jobs no credential can ever accept are reported with the line and the
 * credential that would fix them. Offline, unless --fetch-template asks GitHub for the
 * repository's subject template (GITHUB_TOKEN).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sortFindings, type Finding } from '../diagnose/finding.js';
import { CLOUDS } from '../entra/clouds.js';
import {
  customizationFromAnswer,
  readSubjectCustomization,
  type SubjectCustomization,
} from '../github/subject-customization.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import { withClientId } from '../diagnose/fix-commands.js';
import { auditedJobs, jobListing } from '../report/audit-listing.js';
import { auditRepository, repositoryFromRemote } from '../workflow/audit-repository.js';
import { PROGRAM, type Command } from './command.js';
import { cloudOption, loadCredentials } from './context-options.js';
import { CliError, parseArgs, readInputFile, stringFlag, styleFor, type CliIo } from './io.js';
import { renderFindings } from './render.js';

const USAGE = `Usage: ${PROGRAM} audit --credentials FILE [options]

Reads every workflow in .github/workflows, predicts the subject GitHub will send for each job
that logs in to Azure (per trigger, branch filter, environment, reusable workflow), and matches
it against the credentials as Entra would. Reports jobs that can never log in (with the line to
change and the credential that would fix them), credentials no job can use, wildcards in
classic subjects, typos, and identities at the limit of 20 credentials.

Options:
      --credentials FILE   the identity's credentials (az ad app federated-credential list ...), JSON or YAML
      --dir DIR            the repository's root (default: the current directory)
      --repository O/R     owner/name (default: GITHUB_REPOSITORY, else the git remote 'origin')
      --repository-id N    numeric ids, for immutable subjects (repo:O@ID/R@ID:...)
      --owner-id N
      --template FILE      the subject template: the answer of
                           gh api repos/O/R/actions/oidc/customization/sub, or a JSON list of claim keys
      --fetch-template     read the template from GitHub with GITHUB_TOKEN (needs 'actions: read')
      --issuer URL         the token issuer (default ${GITHUB_COM_ISSUER})
      --audience A         the audience the login steps request (default: the cloud's)
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --default-branch B   for schedule/workflow_dispatch predictions (default main)
      --client-id ID       the application (client) id, for the commands in fixes
      --json               print {"findings": [...], "jobs": [...]}
  -h, --help               this help

Exit codes: 0 every job can log in, 1 problems found, 2 bad usage or unreadable input.
`;

const FLAGS = {
  credentials: { value: true },
  dir: { value: true },
  repository: { value: true },
  'repository-id': { value: true },
  'owner-id': { value: true },
  template: { value: true },
  'fetch-template': {},
  issuer: { value: true },
  audience: { value: true },
  environment: { value: true },
  'default-branch': { value: true },
  'client-id': { value: true },
  json: {},
};

async function originRepository(root: string): Promise<string | undefined> {
  try {
    const config = readFileSync(join(root, '.git', 'config'), 'utf8');
    const m = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(config);
    return m ? repositoryFromRemote(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

export const auditCommand: Command = {
  summary: 'Audit every workflow against the credentials',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length) throw new CliError(`unexpected argument '${args.positionals[0]}'`, 2, true);
    const credentialsFile = stringFlag(args, 'credentials');
    if (credentialsFile === undefined) throw new CliError('--credentials is required', 2, true);
    const root = resolve(stringFlag(args, 'dir') ?? '.');
    const repository = stringFlag(args, 'repository') ?? io.env.GITHUB_REPOSITORY ?? (await originRepository(root));
    if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository))
      throw new CliError(
        repository
          ? `--repository '${repository}' is not OWNER/REPO`
          : 'cannot tell the repository: pass --repository OWNER/REPO',
        2,
        true,
      );
    const [owner, repo] = repository.split('/') as [string, string];
    const cloud = cloudOption(stringFlag(args, 'environment')) ?? CLOUDS.azurecloud;
    const credentials = await loadCredentials(io, credentialsFile);
    let customization: SubjectCustomization | undefined;
    const templateFile = stringFlag(args, 'template');
    if (templateFile !== undefined) {
      const text = await readInputFile(io, templateFile, 'the subject template');
      try {
        customization = customizationFromAnswer(JSON.parse(text));
      } catch (e) {
        throw new CliError(`${templateFile}: ${(e as Error).message}`, 2);
      }
    } else if (args.flags.has('fetch-template')) {
      const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
      if (!token) throw new CliError('--fetch-template needs GITHUB_TOKEN (or GH_TOKEN) in the environment', 2);
      const r = await readSubjectCustomization(token, owner, repo, io.env.GITHUB_API_URL ?? 'https://api.github.com');
      if (!r.ok) throw new CliError(r.message, 2);
      customization = r.value;
    }
    const audience = stringFlag(args, 'audience') ?? cloud.exchangeAudience;
    const issuer = stringFlag(args, 'issuer') ?? GITHUB_COM_ISSUER;
    const repoId = stringFlag(args, 'repository-id') ?? io.env.GITHUB_REPOSITORY_ID;
    const ownerId = stringFlag(args, 'owner-id') ?? io.env.GITHUB_REPOSITORY_OWNER_ID;
    const result = await auditRepository(root, credentials, {
      owner,
      repo,
      ...(repoId ? { repoId } : {}),
      ...(ownerId ? { ownerId } : {}),
      ...(customization?.immutable !== undefined ? { immutable: customization.immutable } : {}),
      ...(customization ? { template: customization.template } : {}),
      defaultBranch: stringFlag(args, 'default-branch') ?? 'main',
      issuer,
      audience,
    });
    if (result.missing) throw new CliError(`no .github/workflows folder in ${root}`, 2);
    const clientId = stringFlag(args, 'client-id');
    const findings: Finding[] = withClientId(sortFindings(result.findings), clientId);
    const jobs = auditedJobs(result);
    if (args.flags.has('json')) {
      io.stdout(`${JSON.stringify({ repository, findings, jobs }, null, 2)}\n`);
    } else {
      const s = styleFor(io);
      const out: string[] = [
        s.bold(
          `Audit of ${repository}: ${result.workflows.length} workflow(s), ` +
            `${jobs.length} job(s) logging in to Azure, ${credentials.length} credential(s)`,
        ),
        '',
      ];
      out.push(...jobListing(jobs, s));
      if (findings.length)
        out.push(
          '',
          renderFindings(
            findings.map((f) =>
              f.location ? { ...f, title: `${f.location.file}:${f.location.line ?? ''}: ${f.title}` } : f,
            ),
            s,
          ).trimEnd(),
        );
      else out.push('', s.green(s.bold('✓ Every job that logs in to Azure matches a credential.')));
      io.stdout(`${out.join('\n')}\n`);
    }
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};

/**
 * `trust`: who can become these identities? Checks every federated credential against GitHub
 * (GITHUB_TOKEN or GH_TOKEN, read-only) and reports names someone else can take, renamed
 * repositories, unprotected environments, pull_request subjects, broad expressions and foreign
 * issuers; `--sarif FILE` writes SARIF 2.1.0 for code scanning.
 */
import { writeFile } from 'node:fs/promises';
import { sortFindings, type Finding } from '../diagnose/finding.js';
import { CredentialsInputError } from '../entra/credentials-input.js';
import { auditTrust, notCheckedFinding } from '../trust/audit.js';
import { GitHubLookupClient, octokitRequest } from '../trust/github-lookups.js';
import { parseTrustInput } from '../trust/input.js';
import { toSarif } from '../trust/sarif.js';
import { PROGRAM, type Command } from './command.js';
import { CliError, parseArgs, readInputFile, stringFlag, styleFor, type CliIo } from './io.js';
import { renderFindings } from './render.js';

const USAGE = `Usage: ${PROGRAM} trust --credentials FILE [options]

Who can become these identities? Checks each federated credential against GitHub: a name-form
subject whose owner or repository no longer exists or was renamed (anyone who takes the name can
log in), name-form subjects that should be immutable, environments without protection,
pull_request subjects, expressions that admit any owner, several repositories or every branch,
and issuers that are not GitHub's. Reads GitHub with GITHUB_TOKEN (or GH_TOKEN) when set; what
it could not read is reported as not checked, never as safe.

Options:
      --credentials FILE  the credentials (az ad app federated-credential list ...), JSON or YAML, or
                          {"identities": [{"clientId", "displayName", "tenantId", "credentials": [...]}]}
      --client-id ID      the identity the credentials belong to (for messages and fix commands)
      --tenant-id ID      its tenant
      --sarif FILE        write SARIF 2.1.0 for github/codeql-action/upload-sarif ('-' for stdout)
      --sarif-uri PATH    repository file the alerts point at when a credential has none (default: FILE of --credentials)
      --api-url URL       GitHub's REST API (default GITHUB_API_URL, else https://api.github.com)
      --issuer URL        an issuer that is yours besides GitHub's (your GitHub Enterprise Server)
      --concurrency N     GitHub requests in flight at most (default 8)
      --timeout S         stop asking GitHub after S seconds (default 120)
      --json              print {"findings": [...], "notChecked": [...], "github": {...}}
  -h, --help              this help

Exit codes: 0 nothing to fix, 1 errors found, 2 bad usage or unreadable input.
`;

const FLAGS = {
  credentials: { value: true },
  'client-id': { value: true },
  'tenant-id': { value: true },
  sarif: { value: true },
  'sarif-uri': { value: true },
  'api-url': { value: true },
  issuer: { value: true },
  concurrency: { value: true },
  timeout: { value: true },
  json: {},
};

function positiveInt(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${flag} must be a whole number from 1 to ${max}`, 2, true);
  return n;
}

export const trustCommand: Command = {
  summary: 'Who can become these identities: credentials checked against GitHub, SARIF for code scanning',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length) throw new CliError(`unexpected argument '${args.positionals[0]}'`, 2, true);
    const file = stringFlag(args, 'credentials');
    if (file === undefined) throw new CliError('--credentials is required', 2, true);
    const concurrency = positiveInt(stringFlag(args, 'concurrency'), 'concurrency', 8, 64);
    const timeout = positiveInt(stringFlag(args, 'timeout'), 'timeout', 120, 3600);
    const text = await readInputFile(io, file, 'the credentials');
    const tenantId = stringFlag(args, 'tenant-id');
    let items;
    try {
      items = await parseTrustInput(text, file === '-' ? 'stdin' : file, { clientId: stringFlag(args, 'client-id') ?? '', ...(tenantId ? { tenantId } : {}) }, 'file', file === '-' ? undefined : file);
    } catch (e) {
      if (e instanceof CredentialsInputError) throw new CliError(e.message.replace(/\.$/, ''), 2);
      throw e;
    }
    const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
    const apiUrl = stringFlag(args, 'api-url') ?? io.env.GITHUB_API_URL ?? 'https://api.github.com';
    const lookups = token ? new GitHubLookupClient(await octokitRequest(token, apiUrl), { concurrency, deadline: Date.now() + timeout * 1000 }) : undefined;
    const issuers = args.flags.get('issuer');
    const result = await auditTrust(items, lookups, { ownIssuers: typeof issuers === 'string' ? [issuers] : [] });

    const sarifPath = stringFlag(args, 'sarif');
    if (sarifPath !== undefined) {
      const sarif = `${JSON.stringify(toSarif(result.findings, result.notChecked, { defaultUri: stringFlag(args, 'sarif-uri') ?? (file === '-' ? 'azure-federated-credentials.json' : file) }), null, 2)}\n`;
      if (sarifPath === '-') io.stdout(sarif);
      else
        await writeFile(sarifPath, sarif).catch((e: NodeJS.ErrnoException) => {
          throw new CliError(`cannot write the SARIF file ${sarifPath}: ${e.code ?? e.message}`, 2);
        });
    }
    const notice = notCheckedFinding(result.notChecked);
    const findings: Finding[] = sortFindings([...result.findings.map(({ item, ...f }) => (item.location ? { ...f, location: item.location } : f)), ...(notice ? [notice] : [])]);
    const github = lookups ? { requests: lookups.stats.requests, shared: lookups.stats.shared, rateLimitRemaining: lookups.stats.rateLimitRemaining ?? null, stopped: lookups.stats.stopped ?? null } : null;
    if (args.flags.has('json')) {
      const notChecked = result.notChecked.map((n) => ({ clientId: n.item.identity.clientId, credential: n.item.credential.name, reason: n.reason }));
      if (sarifPath !== '-') io.stdout(`${JSON.stringify({ credentials: result.credentials, identities: result.identities, findings, notChecked, github }, null, 2)}\n`);
    } else if (sarifPath !== '-') {
      const s = styleFor(io);
      const head = s.bold(`Trust audit: ${result.credentials} credential(s) of ${result.identities} identity(ies), ${result.notChecked.length} not checked against GitHub`);
      const how = github ? s.dim(`GitHub: ${github.requests} request(s), ${github.shared} answered from an earlier one${github.stopped ? `; stopped: ${github.stopped}` : ''}`) : s.dim('GitHub was not asked (set GITHUB_TOKEN to check names, renames and environments)');
      io.stdout(`${head}\n${how}\n\n${findings.length ? renderFindings(findings, s).trimEnd() : s.green(s.bold('✓ Nothing found that someone else could use.'))}\n`);
    }
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};

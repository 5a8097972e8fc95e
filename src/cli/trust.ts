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
import { CliError, parseArgs, readInputFile, stringFlag, styleFor, type CliIo, type ParsedArgs } from './io.js';
import { httpRequest } from '../net/http.js';
import { readInventory, throttledFetcher } from '../trust/azure-inventory.js';
import type { TrustItem } from '../trust/model.js';
import { renderFindings } from './render.js';

const USAGE = `Usage: ${PROGRAM} trust (--credentials FILE | --graph | --subscription ID) [options]

Who can become these identities? Checks each federated credential against GitHub: a name-form
subject whose owner or repository no longer exists or was renamed (anyone who takes the name can
log in), name-form subjects that should be immutable, environments without protection,
pull_request subjects, expressions that admit any owner, several repositories or every branch,
and issuers that are not GitHub's. Reads GitHub with GITHUB_TOKEN (or GH_TOKEN) when set; what
it could not read is reported as not checked, never as safe.

Options:
      --credentials FILE  the credentials (az ad app federated-credential list ...), JSON or YAML, or
                          {"identities": [{"clientId", "displayName", "tenantId", "credentials": [...]}]}
      --graph             read every app registration of the tenant and its credentials from Microsoft
                          Graph with GRAPH_TOKEN (Application.Read.All), e.g.
                          GRAPH_TOKEN=$(az account get-access-token --resource-type ms-graph --query accessToken -o tsv)
      --subscription ID   read the subscription's user-assigned managed identities from ARM with ARM_TOKEN (Reader)
      --graph-host URL, --arm-host URL   overrides of https://graph.microsoft.com and https://management.azure.com
      --client-id ID      the identity the credentials belong to (for messages and fix commands)
      --tenant-id ID      its tenant
      --sarif FILE        write SARIF 2.1.0 for github/codeql-action/upload-sarif ('-' for stdout)
      --sarif-uri PATH    repository file the alerts point at when a credential has none
                          (default: the --credentials FILE)
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
  graph: {},
  subscription: { value: true },
  'graph-host': { value: true },
  'arm-host': { value: true },
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
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new CliError(`--${flag} must be a whole number from 1 to ${max}`, 2, true);
  return n;
}

/** The tenant's identities from Graph and ARM (tokens from the environment); returns what could not be read. */
async function readAzure(
  io: CliIo,
  args: ParsedArgs,
  o: { concurrency: number; timeout: number; items: TrustItem[]; tenantId?: string },
): Promise<string[]> {
  const graphToken = io.env.GRAPH_TOKEN;
  const armToken = io.env.ARM_TOKEN;
  const subscription = stringFlag(args, 'subscription');
  if (args.flags.has('graph') && !graphToken)
    throw new CliError(
      '--graph needs GRAPH_TOKEN in the environment (az account get-access-token --resource-type ms-graph)',
      2,
    );
  if (subscription !== undefined && !armToken)
    throw new CliError('--subscription needs ARM_TOKEN in the environment (az account get-access-token)', 2);
  const deadline = Date.now() + o.timeout * 1000;
  const { fetch } = throttledFetcher(
    (url, headers) => httpRequest(url, { headers, timeoutMs: 30_000, maxBytes: 8 * 1024 * 1024 }),
    { concurrency: o.concurrency, deadline },
  );
  const inventory = await readInventory({
    fetcher: fetch,
    ...(o.tenantId ? { tenantId: o.tenantId } : {}),
    ...(args.flags.has('graph')
      ? { graph: { host: stringFlag(args, 'graph-host') ?? 'https://graph.microsoft.com', token: graphToken! } }
      : {}),
    ...(subscription !== undefined
      ? {
          arm: {
            host: stringFlag(args, 'arm-host') ?? 'https://management.azure.com',
            token: armToken!,
            subscriptionId: subscription,
          },
        }
      : {}),
  });
  o.items.push(...inventory.items);
  return inventory.unread;
}

/**
 * Names and messages come from Azure and GitHub (display names, credential names, error texts): a
 * control character there must not reach the terminal as an escape sequence. Shown as U+FFFD.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}
const printableFinding = (f: Finding): Finding => ({
  ...f,
  title: printable(f.title),
  message: printable(f.message),
  fix: printable(f.fix),
});

const NOTHING = '✓ Nothing found that someone else could use.';
const counts = (r: { credentials: number; identities: number }) => ({
  credentials: r.credentials,
  identities: r.identities,
});

export const trustCommand: Command = {
  summary: 'Who can become these identities: credentials checked against GitHub, SARIF for code scanning',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length) throw new CliError(`unexpected argument '${args.positionals[0]}'`, 2, true);
    const file = stringFlag(args, 'credentials');
    const subscription = stringFlag(args, 'subscription');
    if (file === undefined && !args.flags.has('graph') && subscription === undefined)
      throw new CliError('give --credentials FILE, --graph or --subscription ID', 2, true);
    const concurrency = positiveInt(stringFlag(args, 'concurrency'), 'concurrency', 8, 64);
    const timeout = positiveInt(stringFlag(args, 'timeout'), 'timeout', 120, 3600);
    const tenantId = stringFlag(args, 'tenant-id');
    const items: TrustItem[] = [];
    if (file !== undefined) {
      const text = await readInputFile(io, file, 'the credentials');
      try {
        items.push(
          ...(await parseTrustInput(
            text,
            file === '-' ? 'stdin' : file,
            { clientId: stringFlag(args, 'client-id') ?? '', ...(tenantId ? { tenantId } : {}) },
            'file',
            file === '-' ? undefined : file,
          )),
        );
      } catch (e) {
        if (e instanceof CredentialsInputError) throw new CliError(e.message.replace(/\.$/, ''), 2);
        throw e;
      }
    }
    const unread =
      args.flags.has('graph') || subscription !== undefined
        ? await readAzure(io, args, { concurrency, timeout, items, ...(tenantId ? { tenantId } : {}) })
        : [];
    const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
    const apiUrl = stringFlag(args, 'api-url') ?? io.env.GITHUB_API_URL ?? 'https://api.github.com';
    const lookups = token
      ? new GitHubLookupClient(await octokitRequest(token, apiUrl), {
          concurrency,
          deadline: Date.now() + timeout * 1000,
        })
      : undefined;
    const issuers = args.flags.get('issuer');
    const result = await auditTrust(items, lookups, { ownIssuers: typeof issuers === 'string' ? [issuers] : [] });
    for (const line of unread) io.stderr(`${PROGRAM} trust: not read: ${printable(line)}\n`);

    const sarifPath = stringFlag(args, 'sarif');
    if (sarifPath !== undefined) {
      const defaultUri =
        stringFlag(args, 'sarif-uri') ??
        (file === undefined || file === '-' ? 'azure-federated-credentials.json' : file);
      const sarif = `${JSON.stringify(toSarif(result.findings, result.notChecked, { defaultUri }), null, 2)}\n`;
      if (sarifPath === '-') io.stdout(sarif);
      else
        await writeFile(sarifPath, sarif).catch((e: NodeJS.ErrnoException) => {
          throw new CliError(`cannot write the SARIF file ${sarifPath}: ${e.code ?? e.message}`, 2);
        });
    }
    const notice = notCheckedFinding(result.notChecked);
    const findings: Finding[] = sortFindings([
      ...result.findings.map(({ item, ...f }) => (item.location ? { ...f, location: item.location } : f)),
      ...(notice ? [notice] : []),
    ]);
    const github = lookups
      ? {
          requests: lookups.stats.requests,
          shared: lookups.stats.shared,
          rateLimitRemaining: lookups.stats.rateLimitRemaining ?? null,
          stopped: lookups.stats.stopped ?? null,
        }
      : null;
    if (args.flags.has('json')) {
      const notChecked = result.notChecked.map((n) => ({
        clientId: n.item.identity.clientId,
        credential: n.item.credential.name,
        reason: n.reason,
      }));
      if (sarifPath !== '-')
        io.stdout(`${JSON.stringify({ ...counts(result), findings, notChecked, unread, github }, null, 2)}\n`);
    } else if (sarifPath !== '-') {
      const s = styleFor(io);
      const head = s.bold(
        `Trust audit: ${result.credentials} credential(s) of ${result.identities} identity(ies), ` +
          `${result.notChecked.length} not checked against GitHub`,
      );
      const how = github
        ? s.dim(
            `GitHub: ${github.requests} request(s), ${github.shared} answered from an earlier ` +
              `one${github.stopped ? `; stopped: ${github.stopped}` : ''}`,
          )
        : s.dim('GitHub was not asked (set GITHUB_TOKEN to check names, renames and environments)');
      const body = findings.length
        ? renderFindings(findings.map(printableFinding), s).trimEnd()
        : s.green(s.bold(NOTHING));
      io.stdout(`${head}\n${how}\n\n${body}\n`);
    }
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};

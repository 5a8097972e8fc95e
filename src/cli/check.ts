/**
 * `check --token-file F|- --credentials F`: compare a token with federated credentials offline,
 * exactly as Entra does (exact, case-sensitive; flexible expressions evaluated), and explain
 * the nearest miss with its fix.
 */
import { compareWithCredentials, type CompareResult, type FieldComparison } from '../diagnose/compare.js';
import { sortFindings } from '../diagnose/finding.js';
import { CLIENT_ID_PLACEHOLDER } from '../diagnose/fix-commands.js';
import { CLOUDS } from '../entra/clouds.js';
import { audiences, type GitHubClaims } from '../github/claims.js';
import { PROGRAM, type Command } from './command.js';
import { cloudOption, loadCredentials, loadToken } from './context-options.js';
import { CliError, parseArgs, stringFlag, styleFor, type CliIo, type Style } from './io.js';
import { renderFindings } from './render.js';

const USAGE = `Usage: ${PROGRAM} check --token-file FILE|- --credentials FILE [options]

Compares a GitHub OIDC token with federated identity credentials offline, as Entra does
(issuer, subject and audience exact and case-sensitive; flexible expressions evaluated),
and explains the nearest miss with the exact fix. Nothing is sent anywhere.

Options:
      --token-file FILE    the token ('-' for stdin): a bare JWT, {"value": "..."} or "Bearer <jwt>"
      --credentials FILE   the credentials: Graph or ARM shape, one object or a list
                           ({"value": [...]} from Graph, az ad app federated-credential list), JSON or YAML
      --audience A         compare as if the token carried audience A (the audience your login step requests)
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --client-id ID       the application (client) id, for the commands in fixes
      --job JOB_ID         the workflow job id, for YAML snippets
      --json               print {"findings": [...], "matched": ..., "comparisons": [...], "suggestion": {...}}
  -h, --help               this help

Exit codes: 0 a credential matches, 1 none matches, 2 bad usage or unreadable input.

Example:
  az ad app federated-credential list --id "$APP_ID" > creds.json
  ${PROGRAM} check --token-file token.jwt --credentials creds.json --client-id "$APP_ID"
`;

const FLAGS = {
  'token-file': { value: true },
  credentials: { value: true },
  audience: { value: true },
  environment: { value: true },
  'client-id': { value: true },
  job: { value: true },
  json: {},
};

export const checkCommand: Command = {
  summary: 'Compare a token with credentials',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length) throw new CliError(`unexpected argument '${args.positionals[0]}'`, 2, true);
    const tokenFile = stringFlag(args, 'token-file');
    const credentialsFile = stringFlag(args, 'credentials');
    if (tokenFile === undefined) throw new CliError('--token-file is required', 2, true);
    if (credentialsFile === undefined) throw new CliError('--credentials is required', 2, true);
    if (tokenFile === '-' && credentialsFile === '-')
      throw new CliError('--token-file and --credentials cannot both read stdin', 2, true);
    const cloud = cloudOption(stringFlag(args, 'environment')) ?? CLOUDS.azurecloud;
    const { claims: tokenClaims } = await loadToken(io, tokenFile);
    const credentials = await loadCredentials(io, credentialsFile);
    if (credentials.length === 0) throw new CliError(`${credentialsFile}: no credentials in the file`, 2);
    const audience = stringFlag(args, 'audience');
    const claims: GitHubClaims = audience !== undefined ? { ...tokenClaims, aud: audience } : tokenClaims;
    const clientId = stringFlag(args, 'client-id')?.trim() || CLIENT_ID_PLACEHOLDER;
    const job = stringFlag(args, 'job');
    const input: Parameters<typeof compareWithCredentials>[0] = { claims, credentials, clientId, cloud };
    if (job) input.jobId = job;
    const result = compareWithCredentials(input);
    const findings = sortFindings(result.findings);
    const tokenAud = audiences(tokenClaims).join(', ');
    if (args.flags.has('json')) {
      io.stdout(
        `${JSON.stringify(
          {
            findings,
            matched: result.matched?.name ?? null,
            token: {
              iss: claims.iss,
              sub: claims.sub,
              aud: claims.aud,
              ...(audience !== undefined ? { audienceFromToken: tokenClaims.aud } : {}),
            },
            comparisons: result.comparisons.map((c) => ({
              name: c.credential.name,
              matched: c.matched,
              issuer: c.issuer,
              ...(c.subject ? { subject: c.subject } : {}),
              audience: c.audience,
              ...(c.expression
                ? {
                    expression: {
                      value: c.credential.claimsMatchingExpression?.value,
                      matched: c.expression.evaluation?.matched ?? false,
                      ...(c.expression.error ? { error: c.expression.error.message } : {}),
                    },
                  }
                : {}),
            })),
            suggestion: result.suggestion,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const s = styleFor(io);
      const out: string[] = [];
      out.push(
        s.bold('Token'),
        `  iss  ${claims.iss}`,
        `  sub  ${claims.sub}`,
        `  aud  ${audiences(claims).join(', ')}`,
      );
      if (audience !== undefined && audience !== tokenAud)
        out.push(s.dim(`  (compared with --audience ${audience}; the token itself has ${tokenAud})`));
      out.push('', s.bold(`Credentials (${credentials.length})`), ...credentialTable(result, s));
      out.push('');
      if (result.matched) out.push(s.green(s.bold(`✓ The token matches credential '${result.matched.name}'.`)));
      else
        out.push(
          s.red(
            s.bold(
              `✗ No credential matches this ` +
                `token${result.nearest ? `; the nearest is '${result.nearest.credential.name}'` : ''}.`,
            ),
          ),
        );
      if (findings.length) out.push('', renderFindings(findings, s).trimEnd());
      io.stdout(`${out.join('\n')}\n`);
    }
    return result.matched ? 0 : 1;
  },
};

function mark(f: FieldComparison | undefined, s: Style): string {
  if (!f) return '';
  return f.equal ? s.green('✓') : s.red('✗');
}

function credentialTable(result: CompareResult, s: Style): string[] {
  const width = Math.min(40, Math.max(4, ...result.comparisons.map((c) => c.credential.name.length)));
  return result.comparisons.map((c) => {
    const parts = [`issuer ${mark(c.issuer, s)}`];
    if (c.subject) parts.push(`subject ${mark(c.subject, s)}`);
    if (c.expression)
      parts.push(
        `expression ` +
          `${c.expression.error ? s.red('invalid') : c.expression.evaluation?.matched ? s.green('✓') : s.red('✗')}`,
      );
    parts.push(`audience ${mark(c.audience, s)}`);
    const detail = c.subject ? c.subject.expected : (c.credential.claimsMatchingExpression?.value ?? '');
    return (
      `  ${c.matched ? s.green('●') : '○'} ${c.credential.name.padEnd(width)}  ${parts.join('  ')}  ` +
      `${s.dim(detail)}`
    );
  });
}

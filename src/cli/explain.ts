/**
 * `explain [TEXT | --file F | -]`: every AADSTS error in the text (a whole azure/login log is
 * fine) with its cause and fix, using what the log itself shows (token details, inputs) and
 * what the options add (token, credentials, ids, cloud) as evidence.
 */
import {
  extractAadstsErrors,
  extractLogContext,
  tokenDetailsBefore,
  type LogContext,
  type ParsedAadsts,
} from '../diagnose/aadsts-text.js';
import type { DiagnosisContext } from '../diagnose/context.js';
import { diagnoseEntraError, diagnoseParsedAadsts } from '../diagnose/entra-findings.js';
import { hasErrors, sortFindings, type Finding } from '../diagnose/finding.js';
import { detectLoginTool, TOOL_LABEL, withToolFix, type LoginTool } from '../diagnose/login-tool.js';
import { CLOUDS, findCloud } from '../entra/clouds.js';
import { parseEntraErrorBody } from '../entra/entra-error.js';
import type { GitHubClaims } from '../github/claims.js';
import { CONTEXT_FLAGS, loadContext, type CliContext } from './context-options.js';
import { CliError, parseArgs, readInputFile, readStdin, stringFlag, styleFor, type CliIo } from './io.js';
import { findLogProblems } from './log-problems.js';
import { PROGRAM, type Command } from './command.js';
import { renderFindings } from './render.js';

const USAGE =
  `Usage: ${PROGRAM} explain [TEXT | --file FILE | -] [options]

Explains every Microsoft Entra (AADSTS) error in the text: what Entra means, the evidence,
why it happened and the exact fix. The text can be an azure/login log (raw or copied from
the web UI), Entra's JSON answer, an MSAL or Azure CLI error, or a pasted message.
Without TEXT or --file, reads stdin.

Options:
  -f, --file FILE          read the text from FILE ('-' for stdin); a lone argument naming a file is read too
  -v, --verbose            also name the causes the evidence rules out
      --token-file FILE    the GitHub OIDC token the error is about (decoded, never printed)
      --credentials FILE   the app's federated credentials (Graph/ARM JSON or YAML, one or a list)
      --client-id ID       the application (client) id, for the commands in fixes
      --tenant-id ID       the tenant id
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --json               print {"findings": [...], "errors": [...], "context": {...}}
  -h, --help               this help

Exit codes: 1 when an error was found, 0 when none, 2 for bad usage or unreadable input.

Examples:
  ${PROGRAM} explain job.log
  gh run view 123 --log-failed | ${PROGRAM} explain
  ${PROGRAM} explain ` +
  `"AADSTS700213: No matching federated identity record found for presented assertion subject ` +
  `'repo:o/r:environment:prod'."
`;

const FLAGS = { file: { value: true, short: 'f' }, json: {}, verbose: { short: 'v' }, ...CONTEXT_FLAGS };

/**
 * The only argument is a file when one exists by that name (`explain job.log`); a name that
 * looks like a path but does not exist is an error, not text to explain.
 */
async function textOrFile(io: CliIo, arg: string): Promise<string> {
  if (arg.includes('\n') || arg.length > 4096 || /AADSTS\d/.test(arg)) return arg;
  try {
    return await io.readFile(arg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const pathLike = !/\s/.test(arg) && (/[\\/]/.test(arg) || /\.(?:log|txt|json|out)$/i.test(arg));
    if (code === 'ENOENT' && !pathLike) return arg;
    return readInputFile(io, arg, 'the text');
  }
}

export const explainCommand: Command = {
  summary: 'Explain AADSTS errors',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const file = stringFlag(args, 'file');
    if (file !== undefined && args.positionals.length > 0)
      throw new CliError('give the text either as an argument or with --file, not both', 2, true);
    let text: string;
    if (file !== undefined) text = await readInputFile(io, file, 'the text');
    else if (args.positionals.length === 1 && args.positionals[0] === '-') text = await readStdin(io, 'text');
    else if (args.positionals.length === 1) text = await textOrFile(io, args.positionals[0]!);
    else if (args.positionals.length > 0) text = args.positionals.join(' ');
    else text = await readStdin(io, 'text');
    if (!text.trim()) throw new CliError('the text is empty', 2);
    const given = await loadContext(io, args);
    const result = explainText(text, given, { verbose: args.flags.has('verbose') });
    if (args.flags.has('json')) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout(renderExplain(result, styleFor(io)));
    }
    return hasErrors(result.findings) ? 1 : 0;
  },
};

interface ExplainResult {
  findings: Finding[];
  /** The AADSTS errors found, in order (de-duplicated). */
  errors: Array<Omit<ParsedAadsts, 'raw' | 'index'>>;
  /** What azure/login printed (token details, inputs). */
  context: Omit<LogContext, 'tokens'> & { tokens: Array<Omit<LogContext['tokens'][number], 'index'>> };
  /** The tool that printed the log, when its words tell; the fixes name its settings. */
  tool?: LoginTool;
}

/** The diagnosis for one text, with the given context. Pure apart from the diagnosis itself. */
export function explainText(text: string, given: CliContext = {}, opts: { verbose?: boolean } = {}): ExplainResult {
  const log = extractLogContext(text);
  const errors = extractAadstsErrors(text);
  // A job without a token sends Entra nothing usable: that cause leads, Entra's error follows it.
  const logProblems = findLogProblems(text);
  const findings: Finding[] = logProblems.filter((f) => TOKEN_PROBLEMS.has(f.id));
  const body = wholeJsonError(text);
  if (body) {
    findings.push(...diagnoseEntraError(body, { ...contextFor(undefined, given, log), ...opts }));
  } else {
    for (const error of errors)
      findings.push(...diagnoseParsedAadsts(error, { ...contextFor(error, given, log), ...opts }));
  }
  findings.push(...logProblems.filter((f) => !TOKEN_PROBLEMS.has(f.id)));
  const tool = detectLoginTool(text);
  const cloud = given.cloud ?? (log.environment ? findCloud(log.environment) : undefined);
  const result: ExplainResult = {
    findings: withToolFix(sortFindings(dedupe(findings)), tool, cloud),
    errors: errors.map(({ raw: _raw, index: _index, ...rest }) => rest),
    context: { ...log, tokens: log.tokens.map(({ index: _i, ...t }) => t) },
  };
  if (tool) result.tool = tool;
  return result;
}

const TOKEN_PROBLEMS = new Set<Finding['id']>(['oidc-unavailable', 'oidc-request-failed']);

/** Entra's JSON answer as the whole text: diagnose it by its error_codes. */
function wholeJsonError(text: string) {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  const err = parseEntraErrorBody(undefined, t);
  return err && (err.codes.length > 0 || err.error === 'invalid_tenant') ? err : undefined;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.id}\u0000${f.code ?? ''}\u0000${f.title}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const usable = (v: string | undefined) =>
  v !== undefined && v.trim() !== '' && !v.includes('***') ? v.trim() : undefined;

/** The evidence for one error: options first, then what the log printed before it. */
function contextFor(error: ParsedAadsts | undefined, given: CliContext, log: LogContext): DiagnosisContext {
  const ctx: DiagnosisContext = {};
  const clientId = given.clientId ?? usable(log.clientId);
  const tenantId = given.tenantId ?? usable(log.tenantId);
  const cloud = given.cloud ?? (log.environment ? findCloud(log.environment) : undefined);
  if (clientId) ctx.clientId = clientId;
  if (tenantId) ctx.tenantId = tenantId;
  if (cloud) ctx.cloud = cloud;
  if (given.credentials) ctx.credentials = given.credentials;
  const claims =
    given.claims ?? claimsFromLog(error, log, cloud?.exchangeAudience ?? CLOUDS.azurecloud.exchangeAudience);
  if (claims) ctx.claims = claims;
  return ctx;
}

/** azure/login's "Federated token details" before this error, as claims, when they agree with what Entra quotes. */
function claimsFromLog(
  error: ParsedAadsts | undefined,
  log: LogContext,
  defaultAudience: string,
): GitHubClaims | undefined {
  const details = error ? tokenDetailsBefore(log, error.index) : log.tokens[log.tokens.length - 1];
  if (!details?.issuer || !details.subject || details.issuer.includes('***') || details.subject.includes('***'))
    return undefined;
  const aud = details.audience ?? usable(log.audience) ?? defaultAudience;
  const p = error?.presented ?? {};
  if (
    (p.subject && p.subject !== details.subject) ||
    (p.issuer && p.issuer !== details.issuer && p.issuer !== `${details.issuer}/`) ||
    (p.audience && p.audience !== aud)
  )
    return undefined;
  const claims: GitHubClaims = { iss: details.issuer, sub: details.subject, aud };
  if (details.jobWorkflowRef) claims.job_workflow_ref = details.jobWorkflowRef;
  return claims;
}

function renderExplain(result: ExplainResult, s: ReturnType<typeof styleFor>): string {
  const out: string[] = [];
  const codes = [...new Set(result.findings.map((f) => f.code).filter((c): c is string => !!c))];
  const problems = result.findings.filter((f) => f.severity === 'error').length;
  if (result.findings.length === 0) out.push('No Microsoft Entra (AADSTS) error found in the text.');
  else
    out.push(
      s.bold(`Found ${problems} problem${problems === 1 ? '' : 's'}${codes.length ? ` (${codes.join(', ')})` : ''}.`) +
        (result.errors.length > 1 ? ` ${result.errors.length} distinct Entra errors in the text.` : ''),
    );
  const ctx = result.context;
  const token = ctx.tokens[ctx.tokens.length - 1];
  const lines: string[] = [];
  if (token?.issuer) lines.push(`  token issuer      ${token.issuer}`);
  if (token?.subject) lines.push(`  token subject     ${token.subject}`);
  if (token?.audience) lines.push(`  token audience    ${token.audience}`);
  if (token?.jobWorkflowRef) lines.push(`  job_workflow_ref  ${token.jobWorkflowRef}`);
  if (ctx.environment) lines.push(`  environment       ${ctx.environment}`);
  if (ctx.loginMethod) lines.push(`  login method      ${ctx.loginMethod}`);
  if (ctx.masked.length) lines.push(`  masked as ***     ${ctx.masked.join(', ')}`);
  if (ctx.tokens.length > 1)
    lines.push(`  (${ctx.tokens.length} token details blocks in the log; each error is read with the one before it)`);
  if (result.tool && !ctx.action) lines.unshift(`  printed by        ${TOOL_LABEL[result.tool]}`);
  if (lines.length) out.push('', s.dim(`From the log${ctx.action ? ` (${ctx.action})` : ''}:`), ...lines);
  if (result.findings.length) out.push('', renderFindings(result.findings, s).trimEnd());
  return `${out.join('\n')}\n`;
}

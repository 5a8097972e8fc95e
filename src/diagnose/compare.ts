/**
 * Compare a token's issuer, subject and audience with federated credentials exactly as
 * Entra does (exact, case-sensitive), and explain the nearest miss. Pure.
 */
import { audiences, type GitHubClaims } from '../github/claims.js';
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import { cloudOfAudience, type Cloud } from '../entra/clouds.js';
import {
  evaluateClaimsMatchingExpression,
  parseClaimsMatchingExpression,
  type EvaluationResult,
  type ExpressionError,
} from '../entra/flexible-expression.js';
import { toImmutableForm, toNameForm, parseSubject } from '../github/subject.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { Evidence, Finding } from './finding.js';
import { diffLines, editDistance } from './text-diff.js';
import {
  classifySubjectDifference,
  subjectDifferenceSentence,
  subjectDistance,
  whatTheCredentialExpects,
  whyThisSubject,
} from './subject-reasons.js';
import {
  azAppUpdateCommand,
  azRestCreateFlexibleCommand,
  createCommands,
  credentialNameForSubject,
  type CredentialSpec,
} from './fix-commands.js';

export interface FieldComparison {
  actual: string;
  expected: string;
  equal: boolean;
}

export interface CredentialComparison {
  credential: FederatedCredential;
  issuer: FieldComparison;
  /** Classic credentials. */
  subject?: FieldComparison;
  audience: FieldComparison;
  /** Flexible credentials. */
  expression?: { error?: ExpressionError; evaluation?: EvaluationResult; warnings: string[] };
  matched: boolean;
  /** Smaller is nearer; used to pick the credential to explain. */
  distance: number;
}

interface CompareInput {
  claims: GitHubClaims;
  credentials: readonly FederatedCredential[];
  clientId: string;
  cloud: Cloud;
  /** The job id (GITHUB_JOB) for YAML snippets. */
  jobId?: string;
}

export interface CompareResult {
  comparisons: CredentialComparison[];
  matched?: FederatedCredential;
  nearest?: CredentialComparison;
  findings: Finding[];
  /** The credential that would make this token match, for the summary's ready-to-paste command. */
  suggestion: CredentialSpec;
}

const q = (s: string) => `'${s}'`;
/** How `matches` reads its comparand, said after a failing `matches` clause. */
const WILDCARD_NOTE = " ('*' is any run of characters, '?' one character; case-sensitive)";

function compareOne(claims: GitHubClaims, credential: FederatedCredential): CredentialComparison {
  const aud = audiences(claims)[0] ?? '';
  const expectedAud = credential.audiences?.[0] ?? '';
  const issuer = { actual: claims.iss, expected: credential.issuer, equal: claims.iss === credential.issuer };
  const audience = { actual: aud, expected: expectedAud, equal: audiences(claims).length === 1 && aud === expectedAud };
  let distance =
    (issuer.equal ? 0 : 1000 + Math.min(editDistance(issuer.actual, issuer.expected), 200)) +
    (audience.equal ? 0 : 300);
  if (isFlexible(credential)) {
    const parsed = parseClaimsMatchingExpression(credential.claimsMatchingExpression!.value, {
      languageVersion: credential.claimsMatchingExpression!.languageVersion,
      issuer: credential.issuer,
    });
    if (!parsed.ok) {
      return {
        credential,
        issuer,
        audience,
        expression: { error: parsed.error, warnings: [] },
        matched: false,
        distance: distance + 500,
      };
    }
    const evaluation = evaluateClaimsMatchingExpression(parsed.clauses, claims);
    distance += evaluation.matched
      ? 0
      : 50 +
        Math.min(
          editDistance(evaluation.firstFailure?.actual ?? '', evaluation.firstFailure?.clause.comparand ?? ''),
          400,
        );
    return {
      credential,
      issuer,
      audience,
      expression: { evaluation, warnings: parsed.warnings },
      matched: issuer.equal && audience.equal && evaluation.matched,
      distance,
    };
  }
  const expectedSub = credential.subject ?? '';
  const subject = { actual: claims.sub, expected: expectedSub, equal: claims.sub === expectedSub };
  if (!subject.equal) {
    // Near misses of a known kind (case, @ids) are nearer than any other edit.
    distance += subjectDistance(claims.sub, expectedSub);
  }
  return { credential, issuer, subject, audience, matched: issuer.equal && subject.equal && audience.equal, distance };
}

/** The credential this token would match. */
export function suggestCredential(claims: GitHubClaims): CredentialSpec {
  return {
    name: credentialNameForSubject(claims.sub),
    issuer: claims.iss,
    subject: claims.sub,
    audience: audiences(claims)[0] ?? '',
  };
}

export function compareWithCredentials(input: CompareInput): CompareResult {
  const { claims, credentials, clientId, cloud } = input;
  const comparisons = credentials.map((c) => compareOne(claims, c));
  const suggestion = suggestCredential(claims);
  const matchedComparison = comparisons.find((c) => c.matched);
  const nearest = [...comparisons].sort((a, b) => a.distance - b.distance)[0];
  const findings: Finding[] = [];
  for (const c of comparisons) if (c.expression?.error) findings.push(expressionInvalid(c));
  if (matchedComparison) {
    return { comparisons, matched: matchedComparison.credential, nearest: matchedComparison, findings, suggestion };
  }
  if (!nearest) return { comparisons, findings, suggestion };

  const create = createCommands(clientId, suggestion);
  const name = nearest.credential.name;
  if (!nearest.issuer.equal) findings.push(issuerMismatch(nearest, comparisons, clientId));
  if (nearest.subject && !nearest.subject.equal)
    findings.push(subjectMismatch(claims, nearest, create, input.jobId, clientId));
  if (nearest.expression?.evaluation && !nearest.expression.evaluation.matched)
    findings.push(expressionMismatch(claims, nearest, create));
  if (!nearest.audience.equal) findings.push(audienceMismatch(claims, nearest, cloud, clientId));
  if (findings.length === 0) {
    // Unreachable with exact comparisons, kept so a run never ends silently.
    findings.push({
      id: 'subject-mismatch',
      severity: 'error',
      title: `No credential matches this token`,
      message: `The nearest credential is '${name}'.`,
      fix: create,
    });
  }
  return { comparisons, nearest, findings, suggestion };
}

/** Where a credential was read, as a parenthesised note (empty when it came from the user). */
export function credentialSourceNote(c: FederatedCredential): string {
  if (c.source === 'graph') return ' (read from Microsoft Graph)';
  return c.source === 'arm' ? ' (read from Azure Resource Manager)' : '';
}

function credentialLabel(c: FederatedCredential): string {
  return `credential '${c.name}'${credentialSourceNote(c)}`;
}

function issuerMismatch(nearest: CredentialComparison, all: CredentialComparison[], clientId: string): Finding {
  const { actual, expected } = nearest.issuer;
  const reasons: string[] = [];
  if (expected === `${actual}/` || `${expected}/` === actual)
    reasons.push(
      "The two differ only by a trailing slash, and Entra compares issuers byte for byte. Microsoft's own " +
        'docs show the GitHub issuer both with and without the slash; GitHub sends it without.',
    );
  else if (expected.trim() === actual)
    reasons.push("The credential's issuer has leading or trailing whitespace, which blocks the exchange.");
  else if (expected.toLowerCase() === actual.toLowerCase())
    reasons.push('The two differ only in letter case; Entra compares issuers case-sensitively.');
  else if (actual.startsWith(`${GITHUB_COM_ISSUER}/`) && expected === GITHUB_COM_ISSUER)
    reasons.push(
      `The token comes from an enterprise-specific issuer (${'`'}${actual}${'`'}): the enterprise has ` +
        `enabled the unique issuer URL (include_enterprise_slug), so credentials must name it.`,
    );
  else if (expected.startsWith(`${GITHUB_COM_ISSUER}/`) && actual === GITHUB_COM_ISSUER)
    reasons.push(
      "The credential names an enterprise-specific issuer, but this repository's tokens use the default " +
        'github.com issuer: the enterprise slug is not enabled for it.',
    );
  else if (/\/_services\/token$/.test(actual))
    reasons.push(
      'The token comes from GitHub Enterprise Server; its issuer is `https://HOSTNAME/_services/token`, and ' +
        'Entra must be able to reach that host from the internet.',
    );
  const sameIssuer = all.filter((c) => c.issuer.equal).length;
  return {
    id: 'issuer-mismatch',
    severity: 'error',
    title: `Issuer differs from ${credentialLabel(nearest.credential)}`,
    message:
      `No credential names the issuer this token carries; Entra compares issuers byte for ` +
      `byte.\n${diffLines('token iss:', actual, 'credential:', expected)}` +
      (reasons.length ? `\n${reasons.join(' ')}` : '') +
      (sameIssuer === 0 && all.length > 1 ? `\nNone of the ${all.length} credentials uses this issuer.` : ''),
    fix:
      `Set the credential's issuer to exactly ` +
      `${q(actual)}:\n${azAppUpdateCommand(clientId, nearest.credential.name, { issuer: actual })}`,
    evidence: [{ label: 'issuer', actual, expected }],
  };
}

function subjectMismatch(
  claims: GitHubClaims,
  nearest: CredentialComparison,
  create: string,
  jobId: string | undefined,
  clientId: string,
): Finding {
  const { actual, expected } = nearest.subject!;
  const kind = classifySubjectDifference(actual, expected);
  const why = whyThisSubject(actual, claims);
  const evidence: Evidence[] = [{ label: 'subject', actual, expected }];
  const diff = diffLines('token sub:', actual, 'credential:', expected);
  const label = credentialLabel(nearest.credential);
  const update = (subject: string) => azAppUpdateCommand(clientId, nearest.credential.name, { subject });
  switch (kind) {
    case 'case':
      return {
        id: 'subject-case-mismatch',
        severity: 'error',
        title: `Subject differs from ${label} only in letter case`,
        message: `${diff}\n${subjectDifferenceSentence(actual, expected)} ${why}`,
        fix:
          `Change the credential's subject to the token's exact spelling:\n${update(actual)}\nor rename ` +
          `the GitHub environment/repository to the credential's spelling.`,
        evidence,
      };
    case 'immutable-vs-name': {
      const tokenImmutable = parseSubject(actual).form === 'immutable';
      const alt =
        !tokenImmutable && claims.repository_owner_id && claims.repository_id
          ? toImmutableForm(actual, claims.repository_owner_id, claims.repository_id)
          : undefined;
      return {
        id: 'subject-immutable-format',
        severity: 'error',
        title: tokenImmutable
          ? `Token uses GitHub's immutable subject (owner@id/repo@id); ${label} uses names`
          : `${label} uses GitHub's immutable subject (owner@id/repo@id); the token uses names`,
        message:
          `${diff}\nWithout the ids the two are the ` +
          `same${toNameForm(actual) !== toNameForm(expected) ? ' apart from letter case' : ''}. ` +
          subjectDifferenceSentence(actual, expected),
        fix: tokenImmutable
          ? `Set the credential's subject to the immutable form the token carries:\n${update(actual)}`
          : `Either set the credential's subject to the name form:\n${update(actual)}\nor opt the repository ` +
            `in to immutable subjects (Settings → Actions → OpenID Connect, or PUT ` +
            `/repos/{owner}/{repo}/actions/oidc/customization/sub with {"use_immutable_subject": true})` +
            (alt ? `, after which GitHub will send ${q(alt)}.` : '.'),
        evidence,
      };
    }
    case 'pull-request-typo':
      return {
        id: 'subject-mismatch',
        severity: 'error',
        title: `${label} says 'pull-request'; GitHub sends 'pull_request'`,
        message: `${diff}\n${subjectDifferenceSentence(actual, expected)}`,
        fix: update(actual),
        evidence,
      };
    case 'wildcard':
      return {
        id: 'credential-wildcard',
        severity: 'error',
        title: `${label} uses a wildcard, which classic credentials never match`,
        message: `${diff}\n${subjectDifferenceSentence(actual, expected)}`,
        fix:
          `Replace it with a flexible credential (Graph beta; az CLI cannot create these):\n` +
          `${azRestCreateFlexibleCommand(clientId, nearest.credential, expected)}\n` +
          `or add a credential for this exact subject:\n${create}`,
        evidence,
      };
    default: {
      const expects = whatTheCredentialExpects(actual, expected, jobId);
      const custom = kind === 'custom-template';
      return {
        id: custom ? 'subject-custom-template' : 'subject-mismatch',
        severity: 'error',
        title: custom
          ? `Subject comes from a customised template and differs from ${label}`
          : `Subject differs from ${label}`,
        message: expects.explainsWhy ? `${diff}\n${expects.sentence}` : `${diff}\n${why}\n${expects.sentence}`,
        fix:
          `Add a credential for the subject this job sends:\n${create}` +
          (expects.yaml ? `\nor change the workflow so GitHub sends the credential's subject:\n${expects.yaml}` : '') +
          (expects.alternative ? `\n${expects.alternative}` : ''),
        evidence,
      };
    }
  }
}

function expressionMismatch(claims: GitHubClaims, nearest: CredentialComparison, create: string): Finding {
  const ev = nearest.expression!.evaluation!;
  const f = ev.firstFailure;
  const label = credentialLabel(nearest.credential);
  const clause = f?.clause;
  return {
    id: 'expression-mismatch',
    severity: 'error',
    title: `The expression of ${label} does not match: ${clause ? `${clause.text}` : 'no clause passed'}`,
    message:
      `Flexible credential expression: ${nearest.credential.claimsMatchingExpression?.value}\n` +
      (clause
        ? `The clause ${q(clause.text)} fails: the token's ${clause.claim} is ` +
          `${f?.actual === undefined ? 'absent' : q(f.actual)}` +
          `, which does not ${clause.operator === 'eq' ? 'equal' : 'match'} ` +
          `${q(clause.comparand)}${clause.operator === 'matches' ? WILDCARD_NOTE : ''}.\n`
        : '') +
      whyThisSubject(claims.sub, claims),
    fix:
      `Widen the expression so it covers ${q(f?.actual ?? claims.sub)}, or add a credential for this ` +
      `exact subject:\n${create}`,
    evidence: ev.results.map((r) => ({
      label: r.clause.text,
      actual: r.actual ?? '(absent)',
      expected: r.clause.comparand,
    })),
  };
}

function expressionInvalid(c: CredentialComparison): Finding {
  const e = c.expression!.error!;
  return {
    id: 'expression-invalid',
    severity: 'error',
    title: `${credentialLabel(c.credential)} has an expression Entra would reject`,
    message:
      `${e.message}\nExpression: ` +
      `${c.credential.claimsMatchingExpression?.value}\n${' '.repeat('Expression: '.length + e.position)}^`,
    fix:
      `Write it as claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' (claims['<name>'], one space, ` +
      `eq or matches, one space, a single-quoted value; clauses joined by ' and ').`,
  };
}

function audienceMismatch(
  claims: GitHubClaims,
  nearest: CredentialComparison,
  cloud: Cloud,
  clientId: string,
): Finding {
  const { actual, expected } = nearest.audience;
  const all = audiences(claims);
  const tokenCloud = cloudOfAudience(actual);
  const credCloud = cloudOfAudience(expected);
  const reasons: string[] = [];
  if (all.length > 1) reasons.push(`The token carries ${all.length} audiences; Entra needs exactly one.`);
  if (credCloud && tokenCloud && credCloud !== tokenCloud)
    reasons.push(`The credential uses the ${credCloud.label} audience, the token the ${tokenCloud.label} one.`);
  if (!tokenCloud)
    reasons.push(
      `The token's audience is not an Azure exchange audience; GitHub puts the requested audience in ${'`'}aud${'`'}.`,
    );
  const credentialIsStandard = !!credCloud;
  return {
    id: 'audience-mismatch',
    severity: 'error',
    title: `Audience differs from ${credentialLabel(nearest.credential)}`,
    message:
      diffLines('token aud:', actual, 'credential:', expected) + (reasons.length ? `\n${reasons.join(' ')}` : ''),
    fix: credentialIsStandard
      ? `Request the credential's audience from GitHub; in the workflow step:\n    with:\n      audience: ` +
        `${expected}\n(the default for ${cloud.label} is ${cloud.exchangeAudience})`
      : `Set the credential's audience to ${q(cloud.exchangeAudience)}:\n` +
        azAppUpdateCommand(clientId, nearest.credential.name, { audiences: [cloud.exchangeAudience] }),
    evidence: [{ label: 'audience', actual, expected }],
  };
}

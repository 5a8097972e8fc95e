/**
 * The checks that need no GitHub answer: who runs the issuer, what a pull_request subject
 * admits, how broad a flexible expression is. Pure.
 */
import { classifyIssuer, describeIssuer, GITHUB_COM_ISSUER } from '../github/issuers.js';
import { parseSubject } from '../github/subject.js';
import { isFlexible } from '../entra/credential.js';
import { formatClause } from '../entra/flexible-expression.js';
import { updateCommands } from '../diagnose/fix-commands.js';
import { expressionBreadth } from './expression-breadth.js';
import { credentialLabel, type TrustFinding, type TrustItem } from './model.js';

export interface StaticContext {
  /** Issuers that count as this enterprise's, besides GitHub's public ones (e.g. this GHES host's). */
  ownIssuers: readonly string[];
}

/** Issuers whose subjects name GitHub repositories, so GitHub can be asked about them. */
export function isGitHubIssuer(issuer: string, ctx: StaticContext): boolean {
  return classifyIssuer(issuer).publicGitHub || ctx.ownIssuers.includes(issuer);
}

function foreignIssuer(item: TrustItem, ctx: StaticContext): TrustFinding | undefined {
  const { issuer } = item.credential;
  if (isGitHubIssuer(issuer, ctx)) return undefined;
  const info = classifyIssuer(issuer);
  return {
    item,
    id: 'trust-foreign-issuer',
    severity: 'warning',
    title: `${credentialLabel(item)} trusts tokens from an issuer that is not GitHub's`,
    message:
      `Its issuer is '${issuer}': ${describeIssuer(info)}. Whoever runs that issuer can sign a token with any ` +
      `subject ` +
      `this credential names, so the identity trusts that operator as much as it trusts GitHub. ` +
      `The expected issuers here are ${[GITHUB_COM_ISSUER, ...ctx.ownIssuers].map((i) => `'${i}'`).join(', ')}.`,
    fix:
      `Confirm that '${issuer}' is yours and expected (a GitHub Enterprise Server you run, GitLab, Terraform ` +
      `Cloud); if not, remove this credential after checking who uses it (its sign-in logs in Entra).`,
    evidence: [{ label: 'issuer', actual: issuer, expected: GITHUB_COM_ISSUER }],
  };
}

function pullRequest(item: TrustItem): TrustFinding | undefined {
  const { credential } = item;
  const subject = credential.subject;
  if (!subject || parseSubject(subject).contextKind !== 'pull_request') return undefined;
  return {
    item,
    id: 'trust-pull-request',
    severity: 'warning',
    title: `${credentialLabel(item)} lets every pull request of its repository log in`,
    message:
      `Its subject is '${subject}'. GitHub sends that subject for every pull_request run of the repository, from any ` +
      `branch that anyone with write access pushes, with the workflow file as that branch has it (pull requests ` +
      `from forks get no OIDC token). That is fine for an identity that can only read; an identity that ` +
      `deploys should trust a protected ` +
      `environment instead.`,
    fix:
      'If this identity deploys, give the deploying job an environment with required reviewers and a deployment ' +
      'branch policy (Settings > Environments > production), and trust only that:\n' +
      '    jobs:\n      deploy:\n        environment: production\n' +
      updateCommands(item.identity, {
        name: credential.name,
        issuer: credential.issuer,
        subject: subject.replace(/:pull_request$/, ':environment:production'),
        audience: credential.audiences[0] ?? 'api://AzureADTokenExchange',
      }),
    evidence: [{ label: 'subject', actual: subject }],
  };
}

function broadExpression(item: TrustItem): TrustFinding | undefined {
  const { credential } = item;
  if (!isFlexible(credential)) return undefined;
  const value = credential.claimsMatchingExpression!.value;
  const b = expressionBreadth(value, credential.issuer);
  if (!b || (!b.anyOwner && !b.severalRepositories && !b.everyBranch)) return undefined;
  const admits = [
    b.anyOwner ? 'any owner (anyone can create an account and a repository with a matching name)' : '',
    !b.anyOwner && b.severalRepositories ? 'more than one repository' : '',
    b.everyBranch ? 'every branch (anyone with write access can push one)' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    item,
    id: 'trust-broad-expression',
    severity: b.anyOwner ? 'error' : 'warning',
    title:
      `${credentialLabel(item)} admits ` +
      `${b.anyOwner ? 'any owner' : b.severalRepositories ? 'more than one repository' : 'every branch'}`,
    message:
      `Its expression is ${value}\n${b.clause ? `The clause ${b.clause} admits ${admits}` : `It admits ${admits}`}, ` +
      `for example:\n` +
      b.examples.map((e) => `  ${e}`).join('\n'),
    fix:
      `Pin the owner and repository by id and narrow the pattern, e.g.\n` +
      `    ${formatClause('repository_owner_id', 'eq', '<OWNER-ID>')} and ` +
      `${formatClause('repository_id', 'eq', '<REPOSITORY-ID>')} and ` +
      `${formatClause('sub', 'eq', 'repo:<OWNER>/<REPO>:environment:production')}\n` +
      '(the ids: gh api repos/<OWNER>/<REPO> --jq "[.owner.id, .id]")',
    evidence: [{ label: 'claimsMatchingExpression', actual: value }],
  };
}

/** Every finding that needs no GitHub answer. */
export function staticFindings(item: TrustItem, ctx: StaticContext): TrustFinding[] {
  return [foreignIssuer(item, ctx), pullRequest(item), broadExpression(item)].filter((f): f is TrustFinding => !!f);
}

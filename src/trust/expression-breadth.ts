/**
 * What a flexible credential's claimsMatchingExpression admits (src/entra/flexible-expression.ts
 * parses it): any owner, several repositories, every branch. Pure. An `eq` clause on
 * repository_owner_id or repository_id pins the owner or the repository whatever `sub` says.
 */
import { parseClaimsMatchingExpression, wildcardMatch, type Clause } from '../entra/flexible-expression.js';

interface ExpressionBreadth {
  anyOwner: boolean;
  severalRepositories: boolean;
  everyBranch: boolean;
  /** Subjects (or workflow refs) the expression admits, one per breadth found. */
  examples: string[];
  /** The clause the breadth was read from. */
  clause?: string;
}

const WILD = /[*?]/;

/** `repo:OWNER/REPO:CONTEXT` or `OWNER/REPO/PATH@REF` split at the first separators; wildcards may span them. */
function splitPattern(claim: string, pattern: string): { owner: string; repo: string; rest: string } | undefined {
  const body = claim === 'sub' ? (pattern.startsWith('repo:') ? pattern.slice(5) : undefined) : pattern;
  if (body === undefined) return undefined;
  const slash = body.indexOf('/');
  if (slash < 0) return { owner: body, repo: '*', rest: '*' };
  const owner = body.slice(0, slash);
  const after = body.slice(slash + 1);
  const sep = claim === 'sub' ? after.indexOf(':') : after.search(/[/@]/);
  return sep < 0 ? { owner, repo: after, rest: '' } : { owner, repo: after.slice(0, sep), rest: after.slice(sep + 1) };
}

function example(
  claim: string,
  pattern: string,
  replacement: { owner?: string; repo?: string; branch?: string },
): string | undefined {
  const parts = splitPattern(claim, pattern);
  if (!parts) return undefined;
  const fill = (s: string, word: string) => s.replace(/\*/g, word).replace(/\?/g, 'x');
  const owner = WILD.test(parts.owner) ? fill(parts.owner, replacement.owner ?? 'contoso') : parts.owner;
  const repo = WILD.test(parts.repo) ? fill(parts.repo, replacement.repo ?? 'app') : parts.repo;
  const rest =
    parts.rest === '' && WILD.test(parts.repo)
      ? claim === 'sub'
        ? 'ref:refs/heads/any-branch'
        : '.github/workflows/x.yml@refs/heads/any-branch'
      : fill(parts.rest, replacement.branch ?? 'any-branch');
  const text = claim === 'sub' ? `repo:${owner}/${repo}:${rest}` : `${owner}/${repo}${rest ? `/${rest}` : ''}`;
  return wildcardMatch(pattern, text) ? text : fill(pattern, 'anything');
}

function analyseClause(c: Clause, pinnedOwner: boolean, pinnedRepo: boolean): ExpressionBreadth {
  const none: ExpressionBreadth = { anyOwner: false, severalRepositories: false, everyBranch: false, examples: [] };
  if (c.operator !== 'matches' || !WILD.test(c.comparand)) return none;
  const parts = splitPattern(c.claim, c.comparand);
  if (!parts) {
    // A `sub` pattern that does not start with `repo:` (a custom template, or `*`): read it as any owner.
    return {
      anyOwner: !pinnedOwner,
      severalRepositories: !pinnedRepo,
      everyBranch: true,
      examples: [c.comparand.replace(/\*/g, 'anything')],
      clause: c.text,
    };
  }
  const anyOwner = !pinnedOwner && WILD.test(parts.owner);
  const severalRepositories = !pinnedRepo && (anyOwner || WILD.test(parts.repo));
  const branchPart = parts.rest === '' ? (WILD.test(parts.repo) ? '*' : '') : parts.rest;
  const everyBranch = /(^|refs\/heads\/|:)\*$/.test(branchPart) || branchPart === '*' || /^ref:\*/.test(branchPart);
  const examples = [
    anyOwner ? example(c.claim, c.comparand, { owner: 'someone-else' }) : undefined,
    !anyOwner && severalRepositories ? example(c.claim, c.comparand, { repo: 'any-other-repo' }) : undefined,
    everyBranch ? example(c.claim, c.comparand, { branch: 'feature-anyone-pushed' }) : undefined,
  ].filter((e): e is string => !!e);
  return { anyOwner, severalRepositories, everyBranch, examples: [...new Set(examples)], clause: c.text };
}

/**
 * What the expression admits, or undefined when it does not parse (the check mode reports that).
 * Every clause must hold, so a dimension is broad only when every `sub` clause (or, without one,
 * every `job_workflow_ref` clause) is broad in it.
 */
export function expressionBreadth(value: string, issuer: string): ExpressionBreadth | undefined {
  const parsed = parseClaimsMatchingExpression(value, { issuer });
  if (!parsed.ok) return undefined;
  const pinnedOwner = parsed.clauses.some((c) => c.claim === 'repository_owner_id' && c.operator === 'eq');
  const pinnedRepo = parsed.clauses.some((c) => c.claim === 'repository_id' && c.operator === 'eq');
  const subs = parsed.clauses.filter((c) => c.claim === 'sub');
  const clauses = subs.length ? subs : parsed.clauses.filter((c) => c.claim === 'job_workflow_ref');
  const each = clauses.map((c) => analyseClause(c, pinnedOwner, pinnedRepo));
  const all = (key: 'anyOwner' | 'severalRepositories' | 'everyBranch') => each.length > 0 && each.every((b) => b[key]);
  const first = each.find((b) => b.clause);
  return {
    anyOwner: all('anyOwner'),
    severalRepositories: all('severalRepositories'),
    everyBranch: all('everyBranch'),
    examples: first?.examples ?? [],
    ...(first?.clause ? { clause: first.clause } : {}),
  };
}

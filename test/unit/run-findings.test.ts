import { describe, expect, it } from 'vitest';
import {
  PERMISSIONS_YAML,
  acceptedDespiteLocalMismatch,
  entraUnavailable,
  inputInvalid,
  oidcRequestFailed,
  oidcUnavailable,
  tokenVerification,
} from '../../src/diagnose/run-findings.js';
import { FINDING_IDS } from '../../src/diagnose/finding.js';
import type { RunnerContext } from '../../src/github/runner-context.js';
import { parse as parseYaml } from 'yaml';
import { splitShellWords } from '../support/shell-words.js';

function ctx(over: Partial<RunnerContext> = {}): RunnerContext {
  return {
    serverUrl: 'https://github.com',
    eventName: 'push',
    repository: 'octo-org/octo-repo',
    forkPullRequest: false,
    dependabot: false,
    debug: false,
    ...over,
  };
}

describe('inputInvalid', () => {
  it('names the input, says nothing was sent, and shows the with: block', () => {
    const f = inputInvalid(
      'client-id',
      "Input 'client-id' is 'abc', not a GUID.",
      'client-id: ${{ vars.AZURE_CLIENT_ID }}',
    );
    expect(f).toMatchObject({ id: 'input-invalid', severity: 'error', title: "Input 'client-id' is not valid" });
    expect(f.message).toBe("Input 'client-id' is 'abc', not a GUID.\nNothing was sent to GitHub or Entra.");
    expect(f.fix).toBe("In the step's 'with:' block:\n    with:\n      client-id: ${{ vars.AZURE_CLIENT_ID }}");
  });
});

describe('PERMISSIONS_YAML', () => {
  it('is valid YAML granting id-token: write', () => {
    expect(parseYaml(PERMISSIONS_YAML)).toEqual({ permissions: { 'id-token': 'write', contents: 'read' } });
  });
});

describe('oidcUnavailable', () => {
  it('ordinary run: missing id-token permission first, the fix is the permissions block', () => {
    const f = oidcUnavailable(ctx());
    expect(f).toMatchObject({ id: 'oidc-unavailable', severity: 'error' });
    expect(f.message).toContain('ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set');
    // A push by a person: a fork or Dependabot is ruled out, so neither is named (issue 10).
    expect(f.message).toMatch(/^ACTIONS_ID_TOKEN_REQUEST_URL .*\nThe job lacks 'id-token: write'/);
    expect(f.message).not.toMatch(/fork|Dependabot/);
    expect(f.fix).toBe(`Add to the workflow (top level) or to this job:\n${PERMISSIONS_YAML}`);
  });

  it('names the ruled-out causes only in debug', () => {
    expect(oidcUnavailable(ctx({ debug: true })).message).toContain(
      'Ruled out: a fork (this run is a push); Dependabot',
    );
  });

  it('from a pasted log (nothing known about the run): permissions first, then fork and Dependabot', () => {
    const f = oidcUnavailable({}, 'Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable.');
    const causes = f.message.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(f.message).toMatch(/^The log says: Error: Unable to get/);
    expect(causes[0]).toMatch(/^1\. The job lacks 'id-token: write'/);
    expect(causes[1]).toMatch(/fork.*Dependabot/);
  });

  it('fork pull request: the fork is the first cause and the fix', () => {
    const f = oidcUnavailable(ctx({ forkPullRequest: true, eventName: 'pull_request' }));
    const causes = f.message.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(causes[0]).toMatch(/^1\. This run is a pull request from a fork \(event pull_request\)/);
    expect(f.fix).toContain('pull request from a fork');
    expect(f.fix).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(f.message).not.toContain('A pull request from a fork gets no OIDC token');
  });

  it('Dependabot: named first, with the skip condition', () => {
    const f = oidcUnavailable(ctx({ dependabot: true, actor: 'dependabot[bot]' }));
    expect(f.fix).toContain('Dependabot');
    expect(f.fix).toContain('dependabot[bot]');
    expect(f.message).not.toContain('A Dependabot-triggered run gets no OIDC token.');
  });

  it('fork and Dependabot together: both named, fork first', () => {
    const f = oidcUnavailable(ctx({ dependabot: true, forkPullRequest: true }));
    const causes = f.message.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(causes[0]).toContain('fork');
    expect(causes[1]).toContain('Dependabot');
    expect(causes[2]).toContain('id-token: write');
  });
});

describe('oidcRequestFailed', () => {
  it('on github.com: a network problem, not a permission problem', () => {
    const f = oidcRequestFailed('connect ECONNRESET', 3, 'https://github.com');
    expect(f).toMatchObject({ id: 'oidc-request-failed', severity: 'error' });
    expect(f.message).toContain('failed after 3 attempts: connect ECONNRESET');
    expect(f.message).toContain("not a missing 'id-token: write'");
    expect(f.message).not.toContain('Enterprise Server');
    expect(f.fix).toContain('HTTPS_PROXY / NO_PROXY');
  });

  it('singular attempt', () => {
    expect(oidcRequestFailed('x', 1, 'https://github.com/').message).toContain('after 1 attempt:');
  });

  it.each([
    ['https://github.com', false],
    ['https://github.com/', false],
    ['https://octo.ghe.com', false],
    ['https://ghes.example.com', true],
    ['https://github.example.com', true],
  ])('%s → GHES note %s', (url, ghes) => {
    expect(oidcRequestFailed('x', 2, url).message.includes('GitHub Enterprise Server')).toBe(ghes);
  });
});

describe('tokenVerification', () => {
  it('is a warning naming the stage, with a curl command for the URL', () => {
    const f = tokenVerification({
      ok: false,
      stage: 'jwks',
      message: 'JWKS answered HTTP 404.',
      url: 'https://ghes.example.com/_services/token/.well-known/jwks',
    });
    expect(f).toMatchObject({
      id: 'token-verification',
      severity: 'warning',
      title: 'The token could not be verified locally (jwks)',
    });
    expect(f.message).toContain('AADSTS90061 or 50166');
    expect(splitShellWords(f.fix.slice(f.fix.indexOf('curl')))).toEqual([
      'curl',
      '-sS',
      'https://ghes.example.com/_services/token/.well-known/jwks',
    ]);
  });

  it("a URL with quotes cannot break out of the curl command's quotes", () => {
    const f = tokenVerification({
      ok: false,
      stage: 'discovery',
      message: 'm',
      url: "https://x.example/'$(echo INJECTED)'",
    });
    const words = splitShellWords(f.fix.slice(f.fix.indexOf('curl')));
    expect(words).toHaveLength(3);
    expect(words[2]).toBe('https://x.example/$(echo INJECTED)');
  });

  it('without a URL', () => {
    expect(tokenVerification({ ok: false, stage: 'claims', message: 'm' }).fix).toBe('Check the token issuer.');
  });
});

describe('entraUnavailable', () => {
  it('says this is not about the credentials', () => {
    const f = entraUnavailable('HTTP 503', 4, 'https://login.microsoftonline.com', 42);
    expect(f).toMatchObject({ id: 'entra-unavailable', severity: 'error' });
    expect(f.title).toContain('says nothing about the credentials');
    expect(f.message).toContain(
      'at https://login.microsoftonline.com did not get a verdict after 4 attempts in 42 s: HTTP 503',
    );
    expect(f.fix).toContain('timeout-seconds');
  });

  it('singular attempt', () => {
    expect(entraUnavailable('x', 1, 'h', 1).message).toContain('after 1 attempt in');
  });
});

describe('acceptedDespiteLocalMismatch', () => {
  it('is a credential-lint warning', () => {
    const f = acceptedDespiteLocalMismatch();
    expect(f).toMatchObject({ id: 'credential-lint', severity: 'warning' });
    expect(f.fix).toContain('az ad app federated-credential list');
  });
});

describe('all findings use known ids and one-line titles', () => {
  it.each(
    [
      inputInvalid('a', 'b', 'c'),
      oidcUnavailable(ctx()),
      oidcUnavailable(ctx({ forkPullRequest: true, dependabot: true })),
      oidcRequestFailed('r', 2, 'https://ghes.example.com'),
      tokenVerification({ ok: false, stage: 'signature', message: 'm', url: 'https://x' }),
      entraUnavailable('r', 1, 'h', 3),
      acceptedDespiteLocalMismatch(),
    ].map((f) => [f.id, f]),
  )('%s', (_id, f) => {
    expect(FINDING_IDS).toContain(f.id);
    expect(f.title).not.toMatch(/[\r\n]/);
    expect(f.title).not.toMatch(/\.$/);
    expect(f.fix.length).toBeGreaterThan(0);
  });
});

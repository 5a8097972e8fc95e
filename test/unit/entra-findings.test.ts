import { describe, expect, it } from 'vitest';
import { extractAadstsErrors } from '../../src/diagnose/aadsts-text.js';
import { compareWithCredentials } from '../../src/diagnose/compare.js';
import type { DiagnosisContext } from '../../src/diagnose/context.js';
import { diagnoseEntraError, diagnoseParsedAadsts } from '../../src/diagnose/entra-findings.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { CLOUDS } from '../../src/entra/clouds.js';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { parseEntraErrorBody, type EntraError } from '../../src/entra/entra-error.js';
import type { GitHubClaims } from '../../src/github/claims.js';
import { entraJson, entraText, SAMPLES, TRACE } from '../fixtures/logs/aadsts-messages.js';

const GH = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const APP = '11111111-2222-4333-8444-555555555555';
const GENERIC = /check your (configuration|settings|setup)|verify your configuration/i;

function claims(over: Partial<GitHubClaims> = {}): GitHubClaims {
  return {
    iss: GH,
    sub: 'repo:contoso/webapp:environment:Production',
    aud: AUD,
    iat: 1_795_000_000,
    nbf: 1_794_999_995,
    exp: 1_795_000_300,
    ref: 'refs/heads/main',
    ref_type: 'branch',
    event_name: 'push',
    environment: 'Production',
    repository: 'contoso/webapp',
    repository_owner: 'contoso',
    repository_id: '456789',
    repository_owner_id: '123456',
    workflow_ref: 'contoso/webapp/.github/workflows/deploy.yml@refs/heads/main',
    job_workflow_ref: 'contoso/webapp/.github/workflows/deploy.yml@refs/heads/main',
    ...over,
  };
}

function cred(name: string, subject: string | null, over: Partial<FederatedCredential> = {}): FederatedCredential {
  return { name, issuer: GH, subject, audiences: [AUD], ...over };
}

/** Entra's message for a subject mismatch, as the token endpoint sends it. */
function subjectError(sub: string, code = 700213): string {
  const text =
    code === 7002138
      ? `No matching federated identity record found for presented assertion subject '${sub}'. The ` +
        `subject matches with case-insensitive comparison, but not with case-sensitive comparison. ` +
        `Check your federated identity credential Subject, Audience and Issuer against the ` +
        `presented assertion.`
      : code === 7002131
        ? `No matching federated identity record found for presented assertion subject '${sub}' or ` +
          `no federated identity credential expression matched. Please check your federated identity ` +
          `credential Subject, Expression, Audience and Issuer against the presented assertion. ` +
          `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`
        : `No matching federated identity record found for presented assertion subject '${sub}'. ` +
          `Check your federated identity credential Subject, Audience and Issuer against the ` +
          `presented assertion. ` +
          `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`;
  return entraText({ code, text }, 'space');
}

function diagnose(text: string, ctx: DiagnosisContext = {}): Finding[] {
  const errors = extractAadstsErrors(text);
  expect(errors).toHaveLength(1);
  return diagnoseParsedAadsts(errors[0]!, ctx);
}

const all = (f: Finding) => `${f.title}\n${f.message}\n${f.fix}`;

function expectWellFormed(f: Finding, code: number) {
  expect(f.code).toBe(`AADSTS${code}`);
  expect(f.title).not.toMatch(/\.$/);
  expect(f.fix.trim().length).toBeGreaterThan(0);
  expect(all(f)).not.toMatch(GENERIC);
  // Support needs the ids: the message ends with them.
  const last = f.message.split('\n').at(-1)!;
  expect(last).toContain(`Trace ID: ${TRACE.traceId}`);
  expect(last).toContain(`Correlation ID: ${TRACE.correlationId}`);
  expect(last).toMatch(new RegExp(`Timestamp: ${TRACE.timestamp}$`));
}

describe('every catalog sample: text → extractAadstsErrors → diagnoseParsedAadsts', () => {
  for (const sample of SAMPLES) {
    for (const form of ['space', 'crlf'] as const) {
      it(`AADSTS${sample.code} (${form}) → ${sample.id}`, () => {
        const findings = diagnose(`##[error]${entraText(sample, form)}`);
        expect(findings.length).toBeGreaterThan(0);
        const f = findings[0]!;
        expect(f.id).toBe(sample.id);
        expectWellFormed(f, sample.code);
        for (const e of sample.evidence) expect(all(f), `evidence ${e}`).toContain(e);
        expect(f.message).toContain(`Entra said: AADSTS${sample.code}:`);
      });
    }
  }
});

describe('every catalog sample as Entra JSON → diagnoseEntraError', () => {
  for (const sample of SAMPLES) {
    it(`AADSTS${sample.code}`, () => {
      const err = parseEntraErrorBody(401, entraJson(sample))!;
      const [f] = diagnoseEntraError(err, {});
      expect(f!.id).toBe(sample.id);
      expectWellFormed(f!, sample.code);
    });
  }
});

describe('diagnoseEntraError keys on error_codes', () => {
  const base: EntraError = {
    error: 'invalid_client',
    description: '',
    codes: [],
    traceId: TRACE.traceId,
    correlationId: TRACE.correlationId,
    timestamp: TRACE.timestamp,
  };

  it('the first code the catalog knows wins, whatever the text says', () => {
    const [f] = diagnoseEntraError(
      {
        ...base,
        codes: [9_999_999, 700212],
        description:
          'AADSTS70021: No matching federated identity record found for presented assertion audience ' +
          "'api://AzureADTokenExchangeUSGov'.",
      },
      {},
    );
    expect(f!.id).toBe('audience-mismatch');
    expect(f!.code).toBe('AADSTS700212');
    expect(f!.message).toContain('api://AzureADTokenExchangeUSGov');
  });

  it('no codes and invalid_tenant → tenant-not-found', () => {
    const [f] = diagnoseEntraError(
      { ...base, error: 'invalid_tenant', description: 'Tenant not found.' },
      { tenantId: 'contoso.example', cloud: CLOUDS.azurecloud },
    );
    expect(f!.id).toBe('tenant-not-found');
    expect(f!.code).toBeUndefined();
    expect(all(f!)).toContain('contoso.example');
  });

  it("an unknown code → aadsts-unknown with the code, Entra's text and the lookup page", () => {
    const [f] = diagnoseEntraError(
      {
        ...base,
        codes: [7002999],
        description: 'AADSTS7002999: Something new about the federated identity credential happened.',
      },
      {},
    );
    expect(f!.id).toBe('aadsts-unknown');
    expect(f!.code).toBe('AADSTS7002999');
    expect(f!.message).toContain(
      'Entra said: AADSTS7002999: Something new about the federated identity credential happened.',
    );
    expect(f!.fix).toContain('https://login.microsoftonline.com/error?code=7002999');
    expect(f!.message.split('\n').at(-1)).toContain(TRACE.traceId);
  });

  it('no code at all: the error class is named', () => {
    const [f] = diagnoseEntraError(
      { ...base, error: 'temporarily_unavailable', description: 'The service is busy.' },
      {},
    );
    expect(f!.id).toBe('aadsts-unknown');
    expect(f!.title).toContain('temporarily_unavailable');
  });
});

describe('evidence: subject with the token and the credentials', () => {
  it("environment vs branch: names the job's environment, the subject sent and the credential's", () => {
    const ctx: DiagnosisContext = {
      claims: claims(),
      credentials: [cred('main', 'repo:contoso/webapp:ref:refs/heads/main')],
      clientId: APP,
      cloud: CLOUDS.azurecloud,
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production'), ctx);
    expect(f!.id).toBe('subject-mismatch');
    expectWellFormed(f!, 700213);
    expect(f!.message).toContain('`environment: Production`');
    expect(f!.message).toContain('repo:contoso/webapp:environment:Production');
    expect(all(f!)).toContain("credential 'main'");
    expect(f!.message).toContain('repo:contoso/webapp:ref:refs/heads/main');
    expect(f!.fix).toContain(`az ad app federated-credential create --id ${APP}`);
    expect(f!.evidence).toContainEqual({
      label: 'subject',
      actual: 'repo:contoso/webapp:environment:Production',
      expected: 'repo:contoso/webapp:ref:refs/heads/main',
    });
  });

  it('the same without the token: the presented subject and the credentials are enough', () => {
    const ctx: DiagnosisContext = {
      credentials: [
        cred('main', 'repo:contoso/webapp:ref:refs/heads/main'),
        cred('other', 'repo:fabrikam/api:ref:refs/heads/main'),
      ],
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production'), ctx);
    expect(f!.id).toBe('subject-mismatch');
    expect(f!.title).toBe(
      "credential 'main' expects 'repo:contoso/webapp:ref:refs/heads/main'; GitHub sent " +
        "'repo:contoso/webapp:environment:Production'",
    );
    expect(f!.message).toContain('declares `environment: Production`');
    expect(f!.fix).toContain('<APPLICATION-CLIENT-ID>');
  });

  it('pull_request: a credential with the pull-request typo', () => {
    const ctx: DiagnosisContext = {
      claims: claims({
        sub: 'repo:contoso/webapp:pull_request',
        event_name: 'pull_request',
        environment: undefined,
        head_ref: 'feature/login',
        ref: 'refs/pull/42/merge',
      }),
      credentials: [cred('pr', 'repo:contoso/webapp:pull-request')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:pull_request'), ctx);
    expect(f!.id).toBe('subject-mismatch');
    expect(f!.title).toContain("'pull-request'");
    expect(f!.fix).toContain('"subject":"repo:contoso/webapp:pull_request"');
    expectWellFormed(f!, 700213);
  });

  it('immutable subject sent, name form in the credential', () => {
    const sub = 'repo:contoso@123456/webapp@456789:ref:refs/heads/main';
    const ctx: DiagnosisContext = {
      claims: claims({ sub, environment: undefined }),
      credentials: [cred('main', 'repo:contoso/webapp:ref:refs/heads/main')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError(sub), ctx);
    expect(f!.id).toBe('subject-immutable-format');
    expect(all(f!)).toContain('immutable');
    expectWellFormed(f!, 700213);
  });

  it('name form sent, immutable form in the credential (portal-generated)', () => {
    const ctx: DiagnosisContext = {
      credentials: [cred('portal', 'repo:contoso@123456/webapp@456789:environment:Production')],
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production'), ctx);
    expect(f!.title).toContain("credential 'portal'");
    expect(f!.message).toContain('Entra portal now proposes');
    expect(f!.fix).toContain('az ad app federated-credential update');
  });

  it('custom subject template', () => {
    const sub = 'repository_owner:contoso:repository_visibility:internal:workflow:deploy';
    const ctx: DiagnosisContext = {
      claims: claims({ sub, environment: undefined }),
      credentials: [cred('main', 'repo:contoso/webapp:ref:refs/heads/main')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError(sub), ctx);
    expect(f!.id).toBe('subject-custom-template');
    expect(f!.message).toContain('customised subject template');
  });

  it("reusable workflow: the caller's repository is in the subject", () => {
    const ctx: DiagnosisContext = {
      claims: claims({
        sub: 'repo:contoso/webapp:ref:refs/heads/feature',
        environment: undefined,
        ref: 'refs/heads/feature',
        job_workflow_ref: 'contoso/platform/.github/workflows/deploy.yml@refs/heads/main',
      }),
      credentials: [cred('platform', 'repo:contoso/platform:ref:refs/heads/main')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:ref:refs/heads/feature'), ctx);
    expect(f!.message).toContain('reusable workflow');
    expect(f!.message).toContain('contoso/platform/.github/workflows/deploy.yml');
  });

  it('7002138 with the credentials: names the credential and gives the update command', () => {
    const ctx: DiagnosisContext = {
      credentials: [cred('prod', 'repo:contoso/webapp:environment:production')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production', 7002138), ctx);
    expect(f!.id).toBe('subject-case-mismatch');
    expect(f!.title).toContain("credential 'prod'");
    expect(f!.fix).toContain(`az ad app federated-credential update --id ${APP} --federated-credential-id prod`);
    expect(f!.message).toMatch(/\^/); // the caret under the differing letter
  });

  it('a byte-identical credential that Entra still refuses → propagation-delay', () => {
    const ctx: DiagnosisContext = {
      claims: claims(),
      credentials: [cred('prod', 'repo:contoso/webapp:environment:Production')],
      clientId: APP,
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production'), ctx);
    expect(f!.id).toBe('propagation-delay');
    expect(f!.code).toBe('AADSTS700213');
    expect(f!.fix).toContain('az ad app federated-credential delete');
    expect(f!.message).toContain('another app or managed identity');
  });

  it("the local comparison's findings are reused, with Entra's code and ids attached", () => {
    const c = claims();
    const comparison = compareWithCredentials({
      claims: c,
      credentials: [cred('main', 'repo:contoso/webapp:ref:refs/heads/main')],
      clientId: APP,
      cloud: CLOUDS.azurecloud,
    });
    const marked = {
      ...comparison,
      findings: comparison.findings.map((f) => ({ ...f, message: `LOCAL: ${f.message}` })),
    };
    const [f] = diagnose(subjectError(c.sub), { claims: c, comparison: marked, clientId: APP });
    expect(f!.message.startsWith('LOCAL: ')).toBe(true);
    expectWellFormed(f!, 700213);
  });

  it('a token that is not the one Entra quotes is set aside, and said so', () => {
    const ctx: DiagnosisContext = {
      claims: claims({ sub: 'repo:contoso/webapp:ref:refs/heads/main', environment: undefined }),
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:Production'), ctx);
    expect(f!.message).toContain('another token than the one given');
    expect(f!.message).toContain('`environment: Production`');
  });

  it('7002131 with flexible credentials → expression-mismatch, naming the failing clause', () => {
    const sub = 'repo:contoso/webapp:ref:refs/heads/gh-readonly-queue/main/pr-13-3f2a9c1d';
    const ctx: DiagnosisContext = {
      claims: claims({ sub, environment: undefined, ref: 'refs/heads/gh-readonly-queue/main/pr-13-3f2a9c1d' }),
      credentials: [
        cred('branches', null, {
          claimsMatchingExpression: {
            value:
              "claims['sub'] matches 'repo:contoso/webapp:ref:refs/heads/release/*' and " +
              "claims['repository_id'] eq '456789'",
            languageVersion: 1,
          },
        }),
      ],
      clientId: APP,
    };
    const [f] = diagnose(subjectError(sub, 7002131), ctx);
    expect(f!.id).toBe('expression-mismatch');
    expect(f!.code).toBe('AADSTS7002131');
    expect(f!.message).toContain("claims['sub'] matches 'repo:contoso/webapp:ref:refs/heads/release/*'");
  });

  it('7002131 with flexible credentials but no token: evaluates what Entra quotes', () => {
    const ctx: DiagnosisContext = {
      credentials: [
        cred('branches', null, {
          claimsMatchingExpression: {
            value: "claims['sub'] matches 'repo:contoso/webapp:ref:refs/heads/release/*'",
            languageVersion: 1,
          },
        }),
      ],
    };
    const [f] = diagnose(subjectError('repo:contoso/webapp:ref:refs/heads/main', 7002131), ctx);
    expect(f!.id).toBe('expression-mismatch');
    expect(f!.message).toContain(
      "sub is 'repo:contoso/webapp:ref:refs/heads/main', which does not match " +
        "'repo:contoso/webapp:ref:refs/heads/release/*'",
    );
  });
});

describe('evidence: the presented subject alone', () => {
  const msg = (sub: string) => diagnose(subjectError(sub))[0]!;

  it('environment: the job declares it', () => {
    const f = msg('repo:contoso/webapp:environment:Production');
    expect(f.message).toContain('The job declares `environment: Production`');
    // Causes the evidence rules out are named only when asked (issue 10).
    expect(f.message).not.toContain('Ruled out by the evidence:');
    const verbose = diagnose(subjectError('repo:contoso/webapp:environment:Production'), { verbose: true })[0]!;
    expect(verbose.message).toContain('Ruled out by the evidence:');
  });

  it('pull_request: warns about the pull-request typo and the branch', () => {
    const f = msg('repo:contoso/webapp:pull_request');
    expect(f.message).toContain('`…:pull-request` (hyphen)');
  });

  it('immutable form: a name-form credential does not match', () => {
    // The quoted subject proves the form: the dedicated finding, with the name form aligned under it (issue 10).
    const f = msg('repo:contoso@123456/webapp@456789:environment:prod');
    expect(f.id).toBe('subject-immutable-format');
    expect(f.message).toContain('owner and repository ids');
    expect(f.message).toContain('repo:contoso/webapp:environment:prod');
  });

  it('merge queue ref', () => {
    const f = msg('repo:contoso/webapp:ref:refs/heads/gh-readonly-queue/main/pr-13-3f2a9c1d');
    expect(f.message).toContain('merge queue');
    expect(f.message).toContain('flexible credential');
  });

  it('custom template', () => {
    const f = msg('repository_owner_id:1844662:repository_id:599293758:ref:refs/heads/main');
    expect(f.id).toBe('subject-custom-template');
    expect(f.title).toContain('repository_owner_id, repository_id, ref');
    expect(f.message).toContain('subject template');
  });

  it('7002138: a case-only difference, typically the environment name', () => {
    const [f] = diagnose(subjectError('repo:contoso/webapp:environment:production', 7002138));
    expect(f!.id).toBe('subject-case-mismatch');
    expect(f!.message).toContain('`production` vs `Production`');
    expect(f!.fix).toContain('"subject":"repo:contoso/webapp:environment:production"');
  });
});

describe('evidence: issuer, audience, generic no-match', () => {
  it('700211: a credential with a trailing slash', () => {
    const text = entraText(
      {
        code: 700211,
        text:
          `No matching federated identity record found for presented assertion issuer '${GH}'. ` +
          `Please check your federated identity credential Subject, Audience and Issuer against the ` +
          `presented assertion.`,
      },
      'space',
    );
    const [f] = diagnose(text, {
      credentials: [cred('main', 'repo:contoso/webapp:ref:refs/heads/main', { issuer: `${GH}/` })],
      clientId: APP,
    });
    expect(f!.id).toBe('issuer-mismatch');
    expect(f!.message).toContain('trailing slash');
    expect(f!.fix).toContain(`--federated-credential-id main --parameters '{"issuer":"${GH}"}'`);
  });

  it('700211 without credentials: an Entra issuer means an Azure token was passed', () => {
    const text = entraText(
      {
        code: 700211,
        text:
          'No matching federated identity record found for presented assertion issuer ' +
          "'https://sts.windows.net/9b2f6c3d-1e4a-4b5c-8d7e-0f1a2b3c4d5e/'. Please check …",
      },
      'space',
    );
    const [f] = diagnose(text);
    expect(f!.message).toContain('not the GitHub OIDC token');
  });

  it('700212: a US Government tenant with the public audience', () => {
    const text = entraText(
      {
        code: 700212,
        text: `No matching federated identity record found for presented assertion audience '${AUD}'. Please check …`,
      },
      'crlf',
    );
    const [f] = diagnose(text, { cloud: CLOUDS.azureusgovernment });
    expect(f!.id).toBe('audience-mismatch');
    expect(f!.message).toContain('api://AzureADTokenExchangeUSGov');
    expect(f!.fix).toContain('audience: api://AzureADTokenExchangeUSGov');
  });

  it('70021: compares all three values with the nearest credential', () => {
    const sample = SAMPLES.find((s) => s.code === 70021)!;
    const [f] = diagnose(entraText(sample, 'crlf'), {
      credentials: [cred('release', 'repo:contoso/webapp:ref:refs/heads/release/2.3', { issuer: `${GH}/` })],
    });
    expect(f!.id).toBe('credential-not-found');
    expect(f!.message).toContain("Nearest credential, credential 'release'");
    expect(f!.message).toContain('presented iss:');
    expect(f!.fix).toContain('Retry:');
  });
});

describe('evidence: identity, tenant, lifetime, policy', () => {
  it('700016: the workflow client id differs from the one Entra saw', () => {
    const sample = SAMPLES.find((s) => s.code === 700016)!;
    const [f] = diagnose(entraText(sample, 'space'), { clientId: APP });
    expect(f!.message).toContain('the request sent client id 4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f');
  });

  it('700016 with a client id that is not a GUID', () => {
    const text = entraText(
      {
        code: 700016,
        text:
          "Application with identifier 'AZURE_CLIENT_ID' was not found in the directory 'Contoso'. " +
          'This can happen …',
      },
      'space',
    );
    const [f] = diagnose(text);
    expect(f!.message).toContain('is not a GUID');
  });

  it('90002 in the US Government cloud names the host and suggests the others', () => {
    const sample = SAMPLES.find((s) => s.code === 90002)!;
    const [f] = diagnose(entraText(sample, 'space'), { cloud: CLOUDS.azureusgovernment });
    expect(f!.title).toContain('https://login.microsoftonline.us');
    expect(f!.message).toContain('environment: azurecloud');
    expect(f!.message).toContain('environment: azurechinacloud');
  });

  it("700024 with the token: iat, exp and Entra's clock", () => {
    const text = entraText(
      {
        code: 700024,
        text:
          'Client assertion is not within its valid time range. Current time: ' +
          '2026-11-17T08:31:40.0000000Z, expiry time of assertion 2026-11-17T08:18:20.0000000Z.',
      },
      'space',
    );
    const c = claims({
      iat: Date.parse('2026-11-17T08:13:20Z') / 1000,
      exp: Date.parse('2026-11-17T08:18:20Z') / 1000,
      nbf: undefined,
    });
    const [f] = diagnose(text, { claims: c });
    expect(f!.message).toContain('issued (iat)       2026-11-17T08:13:20Z');
    expect(f!.message).toContain('expires (exp)      2026-11-17T08:18:20Z');
    expect(f!.message).toContain("Entra's clock      2026-11-17T08:31:40Z");
    expect(f!.message).toContain('Token lifetime: 5 min.');
    expect(f!.title).toBe('The GitHub token expired 13 min 20 s before Entra received it');
  });

  it('700024: not yet valid means clock skew', () => {
    const text = entraText(
      {
        code: 700024,
        text:
          'Client assertion is not within its valid time range. Current time: ' +
          '2026-11-17T08:00:00.0000000Z, assertion valid from 2026-11-17T08:10:00.0000000Z, expiry ' +
          'time of assertion 2026-11-17T08:15:00.0000000Z.',
      },
      'space',
    );
    const [f] = diagnose(text);
    expect(f!.title).toContain('clock skew');
  });

  it('7002381 with the token: the enterprise claim is absent for a personal-account repository', () => {
    const sample = SAMPLES.find((s) => s.code === 7002381)!;
    const [f] = diagnose(entraText(sample, 'space'), {
      claims: claims({ repository_owner: 'octocat', enterprise: undefined }),
    });
    expect(f!.message).toContain('This token has no `enterprise` claim');
    expect(f!.message).toContain('`octocat`');
    expect(f!.message).toContain('not an issuer mismatch');
    expect(f!.evidence).toContainEqual({
      label: 'enterprise claim',
      actual: '(absent)',
      expected: 'microsoft | github | microsoftopensource',
    });
  });

  it('70025 while credentials were given: they belong to another identity', () => {
    const sample = SAMPLES.find((s) => s.code === 70025)!;
    const [f] = diagnose(entraText(sample, 'space'), {
      credentials: [cred('a', 'repo:o/r:ref:refs/heads/main'), cred('b', 'repo:o/r:pull_request')],
    });
    expect(f!.message).toContain("You gave 2 credential(s) ('a', 'b')");
  });

  it('90061 for github.com: transient, retry', () => {
    const [f] = diagnose(entraText({ code: 90061, text: 'Request to External OIDC endpoint failed.' }, 'space'), {
      claims: claims(),
    });
    expect(f!.message).toContain('transient');
    expect(f!.title).toContain(`${GH}/.well-known/openid-configuration`);
  });

  it('53003: admin-only, names the correlation id for the sign-in logs', () => {
    const [f] = diagnose(entraText(SAMPLES.find((s) => s.code === 53003)!, 'space'), { clientId: APP });
    expect(f!.fix).toContain(`application id ${APP}`);
    expect(f!.fix).toContain(`correlation id ${TRACE.correlationId}`);
  });

  it('a masked client id leaves placeholders and says so', () => {
    const text = entraText({ code: 7000112, text: "Application '***'(github-deployer) is disabled." }, 'space');
    const [f] = diagnose(text);
    expect(f!.message).toContain('masks the client id as ***');
    expect(f!.fix).toContain("'<APPLICATION-CLIENT-ID>'");
  });
});

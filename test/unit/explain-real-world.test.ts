/**
 * What real logs do (issue 10): copy-paste damage, Entra's phrases without a code, other tools'
 * words, subjects that prove their cause, the issuer's trailing slash, the user's tool, and
 * `explain PATH`. Real logs themselves: test/unit/real-logs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/cli/explain.js';
import { runCli } from '../../src/cli/main.js';
import { detectLoginTool } from '../../src/diagnose/login-tool.js';

const SUBJECT = 'repo:contoso-org/web_app:environment:Production';
const TRACE =
  'Trace ID: 8335980a-8604-4005-a5e1-f678003d5b01 Correlation ID: ' +
  'c3a1f4bb-2b8a-4486-ac4a-fdd45ed43116 Timestamp: 2024-05-31 14:26:23Z';
const MESSAGE =
  `AADSTS700213: No matching federated identity record found for presented assertion subject ` +
  `'${SUBJECT}'. Please check your federated identity credential Subject, Audience and ` +
  `Issuer against the presented assertion. ${TRACE}`;
const LOG = [
  'Run azure/login@v2',
  'Running Azure CLI Login.',
  '/usr/bin/az cloud set -n azurecloud',
  'Done setting cloud: "azurecloud"',
  'Federated token details:',
  ' issuer - https://token.actions.githubusercontent.com',
  ` subject claim - ${SUBJECT}`,
  'Attempting Azure CLI login by using OIDC...',
  `Error: ${MESSAGE}`,
].join('\n');
const LINK = (n: number) =>
  `[${n}](https://github.com/contoso-org/web_app/actions/runs/9314690620/job/25654928761#step:5:${n + 1})`;

/** Lines of at most `width` characters, broken at spaces, as PowerShell's error view does (a longer word is cut). */
function wordWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Each kind of damage GitHub's log viewer, issue Markdown, JSON or a console does to the same log. */
const DAMAGE: Array<[string, string]> = [
  ['line-number link inside the code', LOG.replace('AADSTS700213', `AADSTS700${LINK(21)}3`)],
  [
    'line-number links on lines of their own',
    LOG.split('\n')
      .map((l, i) => `${LINK(i + 19)}\n${l}`)
      .join('\n'),
  ],
  ['line-number link in the action version', LOG.replace('azure/login@v2', `azure/login@v${LINK(2)}`)],
  ['Markdown escapes', LOG.replace(/_/g, '\\_')],
  ['literal \\r\\n between lines', LOG.split('\n').join('\\r\\n')],
  [
    'JSON-escaped body',
    JSON.stringify({
      error: 'invalid_client',
      error_description: MESSAGE.replace(/'/g, '\u0027'),
      error_codes: [700213],
    }),
  ],
  [
    'JSON string inside a JSON string',
    JSON.stringify(JSON.stringify({ error: 'invalid_client', error_description: MESSAGE })),
  ],
  ['Windows line ends', LOG.replace(/\n/g, '\r\n')],
  [
    'PowerShell word wrap under a gutter',
    `Connect-AzAccount: ClientAssertionCredential authentication failed:\n${wordWrap(MESSAGE, 50)
      .map((l) => `     | ${l}`)
      .join('\n')}`,
  ],
  ['a console hard wrap at 80 columns', wordWrap(`Error: ${MESSAGE}`, 80).join('\n')],
  [
    'subject broken across two lines',
    LOG.replace(`subject '${SUBJECT}'`, `subject 'repo:contoso-org/web_app:envi\nronment:Production'`),
  ],
  ['code broken by a console wrap', LOG.replace('AADSTS700213', 'AADSTS7002\n13')],
  [
    'ANSI colours and timestamps',
    LOG.split('\n')
      .map((l) => `2024-05-31T14:26:23.1234567Z \u001b[31m${l}\u001b[0m`)
      .join('\n'),
  ],
];

describe('copy-paste damage: the code and the values are still read whole', () => {
  it.each(DAMAGE)('%s', (_name, text) => {
    const r = explainText(text);
    expect(r.errors.map((e) => e.code)).toEqual([700213]);
    expect(r.errors[0]!.presented.subject).toBe(SUBJECT);
    expect(r.findings[0]!.id).toBe('subject-mismatch');
  });

  it('a subject masked as *** is read as masked, not as a customised template', () => {
    const r = explainText(LOG.replaceAll(SUBJECT, '***'));
    const f = r.findings[0]!;
    expect(f.id).toBe('subject-mismatch');
    expect(f.title).toContain('***');
    expect(f.message).toContain('contains the value of a secret');
    expect(f.message).toMatch(/To see it: .*claims/);
  });
});

describe("Entra's phrases without the AADSTS number", () => {
  it.each([
    [
      `No matching federated identity record found for presented assertion subject '${SUBJECT}'. ` +
        `Check your federated identity credential`,
      700213,
      'subject-mismatch',
    ],
    [
      `No matching federated identity record found for presented assertion subject '${SUBJECT}'. ` +
        `The subject matches with case-insensitive comparison, but not with case-sensitive ` +
        `comparison.`,
      7002138,
      'subject-case-mismatch',
    ],
    [
      'No matching federated identity record found for presented assertion issuer ' +
        "'https://token.actions.githubusercontent.com/'.",
      700211,
      'issuer-mismatch',
    ],
    [
      "No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange'.",
      700212,
      'audience-mismatch',
    ],
    [
      "The client 'deploy'(11111111-2222-4333-8444-555555555555) has no configured federated identity credentials.",
      70025,
      'credential-not-found',
    ],
    [
      "Tenant 'contoso.onmschina.cn' not found. Check to make sure you have the correct tenant ID",
      90002,
      'cloud-mismatch',
    ],
    ['Request to External OIDC endpoint failed.', 50166, 'issuer-unreachable'],
  ] as const)('%s', (text, code, id) => {
    const r = explainText(`Error: login failed: ${text}`);
    expect(r.errors[0]!.code).toBe(code);
    expect(r.findings[0]!.id).toBe(id);
  });

  it('quotes the values the sentence carries', () => {
    const r = explainText(`No matching federated identity record found for presented assertion subject '${SUBJECT}'.`);
    expect(r.errors[0]!.presented.subject).toBe(SUBJECT);
    expect(r.findings[0]!.evidence?.[0]).toMatchObject({ label: 'subject', actual: SUBJECT });
  });
});

describe("other tools' words for the same failure", () => {
  it.each([
    [
      'Login failed with Error: Error message: Cannot read properties of undefined (reading ' +
        "'message'). Double check if the 'auth-type' is correct.",
      'oidc-request-failed',
    ],
    [
      'Error: Failed to get ID Token. \n Error Code : 500\n Error Message: Internal Server Error',
      'oidc-request-failed',
    ],
    [
      '│ Error: building AzureRM Client: obtain subscription() from Azure CLI: githubAssertion: ' +
        'cannot request token: Get "?audience=api%3A%2F%2FAzureADTokenExchange": unsupported ' +
        'protocol scheme ""',
      'oidc-unavailable',
    ],
    ['Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable', 'oidc-unavailable'],
    [
      "ERROR: ClientAssertionCredential authentication failed: AADSTS70025: The client 'x'(app) " +
        'has no configured federated identity credentials.',
      'credential-not-found',
    ],
    ['Error: No subscriptions found for ***.', 'subscription-not-accessible'],
  ])('%s', (text, id) => {
    expect(explainText(text).findings[0]!.id).toBe(id);
  });

  it('a missing token leads, the Entra error it causes follows', () => {
    const r = explainText(
      'Error:  Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable.\n' +
        'Error: : AADSTS50027: JWT token is invalid or malformed.',
    );
    expect(r.findings.map((f) => f.id)).toEqual(['oidc-unavailable', 'assertion-invalid']);
    // Nothing in a pasted log tells the event: fork and Dependabot stay possible, after the permission.
    expect(r.findings[0]!.message).toMatch(/1\. The job lacks 'id-token: write'[\s\S]*2\. .*fork.*Dependabot/);
  });
});

describe('dedicated findings from the subject Entra quotes', () => {
  const quoted = (sub: string) =>
    explainText(`AADSTS700213: No matching federated identity record found for presented assertion subject '${sub}'.`)
      .findings[0]!;

  it('a subject not starting with repo: is a customised template, named by its claim keys', () => {
    const f = quoted('repository_owner:my_org:repository_visibility:internal:workflow:manual-deployment');
    expect(f.id).toBe('subject-custom-template');
    expect(f.title).toContain('repository_owner, repository_visibility, workflow');
    expect(f.fix).toContain('use_default=true');
  });

  it('owner@id/repo@id is the immutable form, aligned with its name form', () => {
    const f = quoted('repo:octo-org@123/octo-repo@456:ref:refs/heads/main');
    expect(f.id).toBe('subject-immutable-format');
    expect(f.message).toMatch(
      new RegExp(
        String.raw`presented sub: +repo:octo-org@123\/octo-repo@456:ref:refs\/heads\/main\n` +
          String.raw`name form: +repo:octo-org\/octo-repo:ref:refs\/heads\/main`,
      ),
    );
  });

  it('a Kubernetes service account is not a GitHub template', () => {
    expect(quoted('system:serviceaccount:default:workload').id).toBe('subject-mismatch');
  });
});

describe("the issuer's trailing slash is weighed, not taken as proof", () => {
  it('a quoted slash allows the credential-slash cause but does not show it', () => {
    const r = explainText(
      'AADSTS700211: No matching federated identity record found for presented assertion issuer ' +
        "'https://token.actions.githubusercontent.com/'.",
    );
    const f = r.findings[0]!;
    expect(f.message).toContain('both with and without a trailing slash');
    expect(f.message).not.toContain('Cause shown by the evidence');
    expect(f.message).not.toContain('did not come straight from GitHub');
  });

  it('ranks what the quoted subject shows above what the slash allows', () => {
    const r = explainText(
      'AADSTS70021: No matching federated identity record found for presented assertion. ' +
        "Assertion Issuer: 'https://token.actions.githubusercontent.com/'. Assertion Subject: " +
        "'repo:o/r:pull_request'. Assertion Audience: 'api://AzureADTokenExchange'.",
    );
    const m = r.findings[0]!.message;
    expect(m.indexOf('pull-request` (hyphen)')).toBeGreaterThan(-1);
    expect(m.indexOf('pull-request` (hyphen)')).toBeLessThan(m.indexOf("The credential's issuer has a trailing slash"));
  });
});

describe("the user's tool and the fix in its terms", () => {
  it.each([
    [
      "Run azure/login@v2\nError: AADSTS700016: Application with identifier 'abc' was not found in the directory 'x'.",
      'azure/login',
      "the step's `with:` block",
    ],
    [
      "##[error]Script failed with error: ERROR: AADSTS700016: Application with identifier 'abc' " +
        "was not found in the directory 'x'.",
      'azure-devops',
      'the service connection',
    ],
    [
      "Connect-AzAccount: AADSTS90002: Tenant 'contoso.onmschina.cn' not found.",
      'azure-powershell',
      '-Environment AzureChinaCloud',
    ],
    [
      '│ Error: building AzureRM Client: clientCredentialsToken: AADSTS700016: Application with ' +
        "identifier 'abc' was not found in the directory 'x'.",
      'terraform',
      'ARM_CLIENT_ID',
    ],
    [
      "azd auth login failed: AADSTS700016: Application with identifier 'abc' was not found in the directory 'x'.",
      'azd',
      'azd auth login --client-id',
    ],
    [
      'Azure.Identity.AuthenticationFailedException: ClientAssertionCredential authentication ' +
        "failed: AADSTS700016: Application with identifier 'abc' was not found in the directory " +
        "'x'.",
      'sdk',
      'AZURE_CLIENT_ID',
    ],
    [
      'AADSTS700213: No matching federated identity record found for presented assertion subject ' +
        "'system:serviceaccount:ns:sa'.",
      'aks',
      'oidcIssuerProfile.issuerUrl',
    ],
    [
      "ERROR: AADSTS700016: Application with identifier 'abc' was not found in the directory " +
        "'x'.\nPlease run 'az login' to setup account.",
      'azure-cli',
      'az login --service-principal',
    ],
  ] as const)('%s', (text, tool, words) => {
    expect(detectLoginTool(text)).toBe(tool);
    const r = explainText(text);
    expect(r.tool).toBe(tool);
    expect(r.findings[0]!.fix).toContain(words);
  });

  it('keeps the az command that changes the credential itself', () => {
    const r = explainText(`Connect-AzAccount: ${MESSAGE}`);
    expect(r.findings[0]!.fix).toContain('az ad app federated-credential create');
    expect(r.findings[0]!.fix).toContain('In Azure PowerShell (Connect-AzAccount):');
  });

  it('a text that names no tool gets no tool line', () => {
    const r = explainText(MESSAGE);
    expect(r.tool).toBeUndefined();
    expect(r.findings[0]!.fix).not.toMatch(/\nIn /);
  });
});

describe('explain PATH', () => {
  async function run(argv: string[], files: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdin: '',
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: {},
      readFile: async (path) => {
        if (path in files) return files[path]!;
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    return { code, stdout, stderr };
  }

  it('reads the file a lone argument names', async () => {
    const r = await run(['explain', 'job.log'], { 'job.log': LOG });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[subject-mismatch]');
  });

  it('a path-like argument that does not exist is an error, not text', async () => {
    const r = await run(['explain', 'logs/job.log'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read the text from logs/job.log: no such file');
  });

  it('a lone word that is no file is still text', async () => {
    const r = await run(['explain', 'hello'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No Microsoft Entra (AADSTS) error found');
  });

  it('--verbose names the causes the evidence rules out', async () => {
    const quiet = await run(['explain', 'job.log'], { 'job.log': LOG });
    const verbose = await run(['explain', '--verbose', 'job.log'], { 'job.log': LOG });
    expect(quiet.stdout).not.toContain('Ruled out by the evidence');
    expect(verbose.stdout).toContain('Ruled out by the evidence');
  });
});

describe('each fact once', () => {
  const count = (text: string, needle: string | RegExp) => text.split(needle).length - 1;

  it('explain names the other subject form once (no generic immutable cause under the hint)', () => {
    const m = explainText(MESSAGE).findings[0]!.message;
    expect(count(m, 'immutable')).toBe(1);
  });

  it('an environment job against a branch credential: the environment sentence once, and it is the why', async () => {
    const { compareWithCredentials } = await import('../../src/diagnose/compare.js');
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      sub: SUBJECT,
      aud: 'api://AzureADTokenExchange',
      environment: 'Production',
      ref: 'refs/heads/main',
      event_name: 'push',
    };
    const credentials = [
      {
        name: 'main',
        issuer: claims.iss,
        subject: 'repo:contoso-org/web_app:ref:refs/heads/main',
        audiences: [claims.aud],
      },
    ];
    const { CLOUDS } = await import('../../src/entra/clouds.js');
    const r = compareWithCredentials({
      claims,
      credentials,
      clientId: '11111111-2222-3333-4444-555555555555',
      cloud: CLOUDS.azurecloud,
    });
    const f = r.findings.find((x) => x.id === 'subject-mismatch')!;
    expect(count(f.message, 'environment: Production')).toBe(1);
    expect(count(f.message, /replaces the ref|does not appear in `sub`|instead of the ref/)).toBe(1);
    expect(f.fix).toContain('or remove `environment:` from the job');
  });
});

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli, USAGE } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { entraJson, entraText, SAMPLES } from '../fixtures/logs/aadsts-messages.js';

const GH = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const APP = '11111111-2222-4333-8444-555555555555';
const NOW = Date.parse('2026-11-22T10:01:00Z');
const IAT = Date.parse('2026-11-22T10:00:00Z') / 1000;

/** base64url("signature-must-never-be-printed") */
const SIG = Buffer.from('signature-must-never-be-printed').toString('base64url');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function jwt(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = { alg: 'RS256', kid: '38826b17ef6d0e7f2c1a9b8d', typ: 'JWT', x5t: 'ykOe9Q_5DGuY' },
): string {
  return `${b64(header)}.${b64({
    jti: '1c7f3f4e-0000-4000-8000-000000000001',
    sub: 'repo:contoso/webapp:environment:Production',
    aud: AUD,
    ref: 'refs/heads/main',
    sha: '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39',
    repository: 'contoso/webapp',
    repository_owner: 'contoso',
    repository_id: '456789',
    repository_owner_id: '123456',
    run_id: '7349012345',
    environment: 'Production',
    event_name: 'push',
    ref_type: 'branch',
    workflow_ref: 'contoso/webapp/.github/workflows/deploy.yml@refs/heads/main',
    job_workflow_ref: 'contoso/webapp/.github/workflows/deploy.yml@refs/heads/main',
    runner_environment: 'github-hosted',
    iss: GH,
    nbf: IAT - 5,
    iat: IAT,
    exp: IAT + 300,
    ...claims,
  })}.${SIG}`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  argv: string[],
  opts: {
    stdin?: CliIo['stdin'];
    files?: Record<string, string>;
    env?: Record<string, string | undefined>;
    isTTY?: boolean;
    now?: number;
  } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const files = opts.files ?? {};
  const code = await runCli(argv, {
    stdin: opts.stdin ?? '',
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: opts.env ?? {},
    readFile: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
    isTTY: opts.isTTY ?? false,
    now: () => opts.now ?? NOW,
  });
  return { code, stdout, stderr };
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/logs/${name}`, import.meta.url), 'utf8');
const LOGS = {
  'masked.log': fixture('gh-run-view-masked.log'),
  'ansi.log': fixture('raw-ansi-expired.log'),
  'secret.log': fixture('ui-copy-secret-and-json.log'),
};

/** One line, no stack trace. */
function expectOneLineError(r: Run) {
  const first = r.stderr.split('\n')[0]!;
  expect(first).toMatch(/^azure-federation-check( \w+)?: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('Error:');
}

describe('usage', () => {
  it('no arguments: usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(USAGE);
    expect(r.stdout).toBe('');
  });

  for (const flag of ['--help', '-h', 'help']) {
    it(`${flag}: usage on stdout, exit 0`, async () => {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage:');
      for (const c of ['explain', 'claims', 'check']) expect(r.stdout).toContain(`  ${c} `);
    });
  }

  for (const [command, marker] of [
    ['explain', 'explain [TEXT | --file FILE | -]'],
    ['claims', 'claims [--file FILE | -]'],
    ['check', 'check --token-file FILE|- --credentials FILE'],
  ] as const) {
    it(`${command} --help / -h / help ${command}`, async () => {
      for (const argv of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
        [command, '--json', '--help'],
      ]) {
        const r = await run(argv);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(marker);
        expect(r.stdout).toContain('Exit codes');
      }
    });
  }

  it('unknown command: exit 2, usage on stderr', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('Usage:');
  });

  it('unknown global option: exit 2', async () => {
    const r = await run(['--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --verbose');
  });

  it('unknown command option: exit 2, the command usage', async () => {
    const r = await run(['explain', '--nope', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('azure-federation-check explain: unknown option --nope');
    expect(r.stderr).toContain('Usage: azure-federation-check explain');
  });

  it('an option without its value: exit 2', async () => {
    const r = await run(['explain', '--file']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('option --file needs a value');
  });
});

describe('explain', () => {
  it('the masked gh log: both errors, exit 1, masked inputs noted', async () => {
    const r = await run(['explain', '--file', 'masked.log'], { files: LOGS });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Found 2 problems (AADSTS700213, AADSTS700016)');
    expect(r.stdout).toContain('masked as ***     client-id, tenant-id, subscription-id');
    expect(r.stdout).toContain("No federated credential has the subject 'repo:octo-org/octo-app:environment:staging'");
    expect(r.stdout).toContain('Client id (masked) was not found in the tenant');
    expect(r.stdout).toContain('Trace ID: 5b2c8d1e-7a41-4d0f-9e3b-1c6a2f8e4d00');
    expect(r.stdout).toContain('Fix:');
    expect(r.stderr).toBe('');
  });

  it('the ANSI log: the expired token with its times; its client id goes into no command that needs none', async () => {
    const r = await run(['explain', '-f', 'ansi.log'], { files: LOGS });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('AADSTS700024');
    expect(r.stdout).toContain('The GitHub token expired 1 h before Entra received it');
    expect(r.stdout).not.toContain('\x1b');
  });

  it('the CRLF web-UI copy: secret path and the JSON error, deduplicated', async () => {
    const r = await run(['explain', '--file', 'secret.log', '--json'], { files: LOGS });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string; code?: string }) => `${f.code}:${f.id}`)).toEqual([
      'AADSTS7000215:not-federation',
      'AADSTS70021:credential-not-found',
    ]);
    expect(out.errors).toHaveLength(2);
    expect(out.context.usedClientSecret).toBe(true);
  });

  it('--json on the masked log: findings, errors and the token details of each login', async () => {
    const r = await run(['explain', '--json', '--file', 'masked.log'], { files: LOGS });
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string }) => f.id)).toEqual(['subject-mismatch', 'client-not-found']);
    expect(out.errors.map((e: { code: number }) => e.code)).toEqual([700213, 700016]);
    expect(out.context.tokens.map((t: { subject: string }) => t.subject)).toEqual([
      'repo:octo-org/octo-app:environment:staging',
      'repo:octo-org/octo-app:environment:production',
    ]);
    for (const f of out.findings) expect(f.message.split('\n').at(-1)).toMatch(/^For Microsoft support: Trace ID: /);
  });

  it('reads stdin when no text is given (string), and with -', async () => {
    const text = entraText(SAMPLES.find((s) => s.code === 700213)!, 'crlf');
    for (const argv of [['explain'], ['explain', '-'], ['explain', '--file', '-']]) {
      const r = await run(argv, { stdin: text });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[subject-mismatch]');
    }
  });

  it('reads a piped stream', async () => {
    const text = entraText(SAMPLES.find((s) => s.code === 90002)!, 'space');
    const r = await run(['explain'], {
      stdin: Readable.from([Buffer.from(text.slice(0, 40)), Buffer.from(text.slice(40))]),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[tenant-not-found]');
  });

  it('refuses an interactive terminal on stdin: exit 2', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    const r = await run(['explain'], { stdin: tty });
    expect(r.code).toBe(2);
    expectOneLineError(r);
    expect(r.stderr).toContain('no text given');
  });

  it('the text as arguments (unquoted words are joined)', async () => {
    const r = await run(['explain', 'AADSTS7000215:', 'Invalid', 'client', 'secret', 'provided.']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[not-federation]');
  });

  it('Entra JSON as the whole input is diagnosed by error_codes', async () => {
    const body = JSON.parse(entraJson(SAMPLES.find((s) => s.code === 700212)!));
    body.error_codes = [700212];
    const r = await run(['explain', '--json'], { stdin: JSON.stringify(body, null, 2) });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].id).toBe('audience-mismatch');
  });

  it('nothing found: exit 0', async () => {
    const r = await run(['explain', 'Azure CLI login succeeds by using OIDC.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No Microsoft Entra (AADSTS) error found in the text.\n');
    const j = await run(['explain', '--json', 'all good']);
    expect(JSON.parse(j.stdout)).toMatchObject({ findings: [], errors: [] });
  });

  it('azure/login failures without a code: no OIDC token', async () => {
    const r = await run(['explain'], {
      stdin:
        '##[error]Please make sure to give write permissions to id-token in the workflow.\n' +
        '##[error]Login failed with Error: Error message: Unable to get ' +
        'ACTIONS_ID_TOKEN_REQUEST_URL env variable.',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[oidc-unavailable]');
    expect(r.stdout).toContain('id-token: write');
  });

  it('with --token-file and --credentials the diagnosis names the credential', async () => {
    const files = {
      't.jwt': `${jwt()}\n`,
      'creds.json': JSON.stringify({
        value: [{ name: 'main', issuer: GH, subject: 'repo:contoso/webapp:ref:refs/heads/main', audiences: [AUD] }],
      }),
    };
    const text = entraText(
      {
        code: 700213,
        text:
          'No matching federated identity record found for presented assertion subject ' +
          "'repo:contoso/webapp:environment:Production'. Check your federated identity credential " +
          'Subject, Audience and Issuer against the presented assertion.',
      },
      'space',
    );
    const r = await run(['explain', '--token-file', 't.jwt', '--credentials', 'creds.json', '--client-id', APP, text], {
      files,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("credential 'main'");
    expect(r.stdout).toContain(`az ad app federated-credential create --id ${APP}`);
    expect(r.stdout).not.toContain(SIG);
  });

  it('bad usage: text and --file together; empty text; unreadable file; bad --environment', async () => {
    for (const [argv, msg, stdin] of [
      [['explain', 'x', '--file', 'masked.log'], 'either as an argument or with --file', ''],
      [['explain'], 'the text is empty', '   \n'],
      [['explain', '--file', 'missing.log'], 'cannot read the text from missing.log: no such file', ''],
      [
        ['explain', '--environment', 'azuregermancloud', 'AADSTS90002: x'],
        "unknown --environment 'azuregermancloud'",
        '',
      ],
    ] as const) {
      const r = await run([...argv], { files: LOGS, stdin });
      expect(r.code, argv.join(' ')).toBe(2);
      expectOneLineError(r);
      expect(r.stderr).toContain(msg);
    }
  });

  it('colour only on a terminal and without NO_COLOR', async () => {
    const text = entraText(SAMPLES[0]!, 'space');
    expect((await run(['explain', text], { isTTY: true })).stdout).toContain('\x1b[');
    expect((await run(['explain', text], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b[');
    expect((await run(['explain', text], { isTTY: true, env: { TERM: 'dumb' } })).stdout).not.toContain('\x1b[');
    expect((await run(['explain', text], { isTTY: false })).stdout).not.toContain('\x1b[');
    expect((await run(['explain', text], { isTTY: false, env: { FORCE_COLOR: '1' } })).stdout).toContain('\x1b[');
  });
});

describe('claims', () => {
  it('prints header, claims and lifetime from stdin, never the signature', async () => {
    const token = jwt();
    const r = await run(['claims'], { stdin: `  ${token}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/alg\s+RS256/);
    expect(r.stdout).toMatch(/kid\s+38826b17ef6d0e7f2c1a9b8d/);
    expect(r.stdout).toMatch(/typ\s+JWT/);
    expect(r.stdout).toMatch(/sub\s+repo:contoso\/webapp:environment:Production/);
    expect(r.stdout).toMatch(/job_workflow_ref\s+contoso\/webapp\/\.github\/workflows\/deploy\.yml@refs\/heads\/main/);
    expect(r.stdout).toContain('issued (iat)      2026-11-22T10:00:00Z');
    expect(r.stdout).toContain('expires (exp)     2026-11-22T10:05:00Z');
    expect(r.stdout).toMatch(/lifetime\s+5 min/);
    expect(r.stdout).toMatch(/remaining\s+4 min/);
    expect(r.stdout).toContain('`environment: Production`');
    expect(r.stdout).not.toContain(SIG);
    expect(r.stdout).not.toContain(token);
    expect(r.stdout.indexOf('iss')).toBeLessThan(r.stdout.indexOf('job_workflow_ref'));
  });

  it('accepts the runner\'s {"value": …} answer, a Bearer prefix, a file', async () => {
    const token = jwt();
    for (const [argv, stdin, files] of [
      [['claims'], JSON.stringify({ count: 1, value: token }), {}],
      [['claims', '-'], `Bearer ${token}`, {}],
      [['claims', '--file', 'tok'], '', { tok: `\r\n${token}\r\n` }],
    ] as const) {
      const r = await run([...argv], { stdin, files });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/iss\s+https:\/\/token\.actions\.githubusercontent\.com/);
      expect(r.stdout).not.toContain(SIG);
    }
  });

  it('--json: header, claims, lifetime; no signature, no token', async () => {
    const token = jwt();
    const r = await run(['claims', '--json'], { stdin: token });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.header).toEqual({ alg: 'RS256', kid: '38826b17ef6d0e7f2c1a9b8d', typ: 'JWT', x5t: 'ykOe9Q_5DGuY' });
    expect(out.claims.sub).toBe('repo:contoso/webapp:environment:Production');
    expect(Object.keys(out.claims).slice(0, 3)).toEqual(['iss', 'sub', 'aud']);
    expect(out.lifetime).toMatchObject({
      issuedAt: '2026-11-22T10:00:00Z',
      expiresAt: '2026-11-22T10:05:00Z',
      lifetimeSeconds: 300,
      remainingSeconds: 240,
      expired: false,
    });
    expect(out.findings).toEqual([]);
    expect(r.stdout).not.toContain(SIG);
    expect(r.stdout).not.toContain(token.split('.')[2]!);
  });

  it('an expired token: a warning, still exit 0', async () => {
    const r = await run(['claims'], { stdin: jwt(), now: NOW + 3600_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/expired\s+56 min ago/);
    expect(r.stdout).toContain('[assertion-expired]');
    expect(r.stdout).toContain('AADSTS700024');
  });

  it("GitHub's default audience: a warning", async () => {
    const r = await run(['claims', '--json'], { stdin: jwt({ aud: 'https://github.com/contoso' }) });
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string }) => f.id)).toEqual(['audience-not-exchange']);
    expect(out.findings[0].message).toContain("GitHub's default audience");
  });

  it('not a token: one line, exit 2, and the input is not echoed', async () => {
    for (const [stdin, msg] of [
      ['not-a-jwt', 'three dot-separated parts'],
      ['***', 'masked'],
      ['', 'No token was given'],
      [`${b64({ alg: 'RS256' })}.${b64({ foo: 1 })}.${SIG}`, 'no string `iss` or `sub`'],
    ] as const) {
      const r = await run(['claims'], { stdin });
      expect(r.code, stdin).toBe(2);
      expectOneLineError(r);
      expect(r.stderr).toContain(msg);
      expect(r.stderr).not.toContain(SIG);
    }
  });

  it('refuses the token as an argument (shell history)', async () => {
    const token = jwt();
    const r = await run(['claims', token]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not as an argument');
    expect(r.stderr).not.toContain(SIG);
  });
});

describe('check', () => {
  const creds = {
    main: { name: 'main', issuer: GH, subject: 'repo:contoso/webapp:ref:refs/heads/main', audiences: [AUD] },
    prod: { name: 'prod', issuer: GH, subject: 'repo:contoso/webapp:environment:Production', audiences: [AUD] },
  };

  it('a matching credential: exit 0', async () => {
    const r = await run(['check', '--token-file', 't.jwt', '--credentials', 'c.json'], {
      files: { 't.jwt': jwt(), 'c.json': JSON.stringify([creds.main, creds.prod]) },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ The token matches credential 'prod'.");
    expect(r.stdout).not.toContain(SIG);
  });

  it('no match: exit 1, the nearest credential and the fix with the client id', async () => {
    const r = await run(['check', '--token-file', '-', '--credentials', 'c.json', '--client-id', APP], {
      stdin: jwt(),
      files: { 'c.json': JSON.stringify(creds.main) },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ No credential matches this token; the nearest is 'main'.");
    expect(r.stdout).toContain('[subject-mismatch]');
    expect(r.stdout).toContain('`environment: Production`');
    expect(r.stdout).toContain(`az ad app federated-credential create --id ${APP}`);
  });

  it('--json', async () => {
    const r = await run(['check', '--json', '--token-file', 't.jwt', '--credentials', 'c.json'], {
      files: { 't.jwt': jwt(), 'c.json': JSON.stringify({ value: [creds.main] }) },
    });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.matched).toBeNull();
    expect(out.findings.map((f: { id: string }) => f.id)).toEqual(['subject-mismatch']);
    expect(out.comparisons[0]).toMatchObject({
      name: 'main',
      matched: false,
      issuer: { equal: true },
      subject: { equal: false },
      audience: { equal: true },
    });
    expect(out.suggestion).toMatchObject({ subject: 'repo:contoso/webapp:environment:Production', audience: AUD });
  });

  it('YAML credentials in ARM shape', async () => {
    const yaml = [
      '- name: prod',
      '  properties:',
      `    issuer: ${GH}`,
      '    subject: repo:contoso/webapp:environment:Production',
      '    audiences:',
      `      - ${AUD}`,
    ].join('\n');
    const r = await run(['check', '--token-file', 't.jwt', '--credentials', 'c.yaml'], {
      files: { 't.jwt': jwt(), 'c.yaml': yaml },
    });
    expect(r.code).toBe(0);
  });

  it('--audience compares as if the token carried it; --environment selects the cloud', async () => {
    const usgov = { ...creds.prod, audiences: ['api://AzureADTokenExchangeUSGov'] };
    const files = { 't.jwt': jwt(), 'c.json': JSON.stringify(usgov) };
    const miss = await run(
      ['check', '--token-file', 't.jwt', '--credentials', 'c.json', '--environment', 'azureusgovernment'],
      { files },
    );
    expect(miss.code).toBe(1);
    expect(miss.stdout).toContain('[audience-mismatch]');
    const hit = await run(
      ['check', '--token-file', 't.jwt', '--credentials', 'c.json', '--audience', 'api://AzureADTokenExchangeUSGov'],
      { files },
    );
    expect(hit.code).toBe(0);
    expect(hit.stdout).toContain(
      '(compared with --audience api://AzureADTokenExchangeUSGov; the token itself has api://AzureADTokenExchange)',
    );
  });

  it('bad usage and bad input: exit 2, one line', async () => {
    const files = {
      't.jwt': jwt(),
      'c.json': JSON.stringify(creds.main),
      'bad.json': JSON.stringify([{ name: 'x', subject: 's', audiences: [AUD] }]),
      'broken.json': '{"name":',
    };
    for (const [argv, msg] of [
      [['check', '--credentials', 'c.json'], '--token-file is required'],
      [['check', '--token-file', 't.jwt'], '--credentials is required'],
      [['check', '--token-file', '-', '--credentials', '-'], 'cannot both read stdin'],
      [
        ['check', '--token-file', 't.jwt', '--credentials', 'c.json', '--environment', 'mars'],
        "unknown --environment 'mars'",
      ],
      [['check', '--token-file', 't.jwt', '--credentials', 'bad.json'], "'issuer' is missing"],
      [['check', '--token-file', 't.jwt', '--credentials', 'broken.json'], 'is not valid JSON'],
      [
        ['check', '--token-file', 'nope.jwt', '--credentials', 'c.json'],
        'cannot read the token from nope.jwt: no such file',
      ],
      [['check', '--token-file', 't.jwt', '--credentials', 'c.json', 'extra'], "unexpected argument 'extra'"],
    ] as const) {
      const r = await run([...argv], { files, stdin: '' });
      expect(r.code, argv.join(' ')).toBe(2);
      expectOneLineError(r);
      expect(r.stderr, argv.join(' ')).toContain(msg);
    }
  });
});

describe('never a stack trace', () => {
  it('an unexpected failure in a command is one line, exit 2', async () => {
    const r = await run(['explain', '--file', 'x.log'], {
      files: {},
    });
    expect(r.code).toBe(2);
    expectOneLineError(r);
  });

  it('readFile throwing a non-ENOENT error', async () => {
    let stderr = '';
    const code = await runCli(['explain', '--file', 'dir'], {
      stdin: '',
      stdout: () => {},
      stderr: (s) => {
        stderr += s;
      },
      env: {},
      readFile: async () => {
        throw Object.assign(new Error('EISDIR: illegal operation on a directory, read\n    at Object.readFile'), {
          code: 'EISDIR',
        });
      },
    });
    expect(code).toBe(2);
    expect(stderr).toBe('azure-federation-check explain: cannot read the text from dir: it is a directory\n');
  });
});

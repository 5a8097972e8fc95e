import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CredentialsInputError, parseCredentialsText } from '../../src/entra/credentials-input.js';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { hostileString } from '../support/hostile-strings.js';

const ISS = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const LABEL = "Input 'federated-credentials'";

const graphCred = {
  id: '3a8e7c5d-0000-4000-8000-000000000001',
  name: 'github-env-prod',
  issuer: ISS,
  subject: 'repo:octo-org/octo-repo:environment:prod',
  description: 'Deploys from the prod environment',
  audiences: [AUD],
};

function expected(over: Partial<FederatedCredential> = {}): FederatedCredential {
  return {
    name: graphCred.name,
    issuer: ISS,
    subject: graphCred.subject,
    audiences: [AUD],
    claimsMatchingExpression: null,
    description: graphCred.description,
    source: 'input',
    ...over,
  };
}

async function rejects(text: string): Promise<CredentialsInputError> {
  try {
    await parseCredentialsText(text, LABEL);
  } catch (e) {
    expect(e).toBeInstanceOf(CredentialsInputError);
    return e as CredentialsInputError;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 100))} to be rejected`);
}

describe('accepted shapes', () => {
  it('one Graph object', async () => {
    expect(await parseCredentialsText(JSON.stringify(graphCred), LABEL)).toEqual([expected()]);
  });

  it('a list', async () => {
    const list = [
      graphCred,
      {
        ...graphCred,
        name: 'github-branch-main',
        subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        description: undefined,
      },
    ];
    const out = await parseCredentialsText(JSON.stringify(list), LABEL);
    expect(out.map((c) => c.name)).toEqual(['github-env-prod', 'github-branch-main']);
    expect(out[1]!.description).toBeNull();
  });

  it("Microsoft Graph's list answer {value: [...]}, with @odata fields", async () => {
    const answer = {
      '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#applications('...')/federatedIdentityCredentials",
      value: [graphCred, { ...graphCred, name: 'pr', subject: 'repo:octo-org/octo-repo:pull_request' }],
    };
    const out = await parseCredentialsText(JSON.stringify(answer), LABEL, 'graph');
    expect(out).toHaveLength(2);
    expect(out.every((c) => c.source === 'graph')).toBe(true);
  });

  it('an empty Graph list is an empty list', async () => {
    expect(await parseCredentialsText('{"value": []}', LABEL)).toEqual([]);
    expect(await parseCredentialsText('[]', LABEL)).toEqual([]);
  });

  it("ARM's {name, properties: {...}} (user-assigned managed identity)", async () => {
    const arm = {
      id:
        '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/' +
        'userAssignedIdentities/id-deploy/federatedIdentityCredentials/github-env-prod',
      name: 'github-env-prod',
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
      properties: { issuer: ISS, subject: graphCred.subject, audiences: [AUD] },
    };
    expect(await parseCredentialsText(JSON.stringify({ value: [arm] }), LABEL, 'arm')).toEqual([
      expected({ description: null, source: 'arm' }),
    ]);
  });

  it('a YAML list', async () => {
    const yaml = `
# credentials of the deploy app
- name: github-env-prod
  issuer: ${ISS}
  subject: "repo:octo-org/octo-repo:environment:prod"
  description: Deploys from the prod environment
  audiences:
    - ${AUD}
- name: pr
  issuer: ${ISS}
  subject: repo:octo-org/octo-repo:pull_request
  audience: ${AUD}
`;
    const out = await parseCredentialsText(yaml, LABEL, 'file');
    expect(out[0]).toEqual(expected({ source: 'file' }));
    expect(out[1]).toMatchObject({ name: 'pr', audiences: [AUD], subject: 'repo:octo-org/octo-repo:pull_request' });
  });

  it('a single YAML mapping', async () => {
    const out = await parseCredentialsText(
      `name: x\nissuer: ${ISS}\nsubject: repo:o/r:pull_request\naudiences: [${AUD}]\n`,
      LABEL,
    );
    expect(out).toEqual([
      {
        name: 'x',
        issuer: ISS,
        subject: 'repo:o/r:pull_request',
        audiences: [AUD],
        claimsMatchingExpression: null,
        description: null,
        source: 'input',
      },
    ]);
  });

  it('audience as a string, audiences as a string', async () => {
    for (const field of ['audience', 'audiences']) {
      const out = await parseCredentialsText(
        JSON.stringify({ name: 'a', issuer: ISS, subject: 's', [field]: AUD }),
        LABEL,
      );
      expect(out[0]!.audiences).toEqual([AUD]);
    }
  });

  it('a flexible credential (Graph beta shape)', async () => {
    const value = "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/*'";
    const out = await parseCredentialsText(
      JSON.stringify({
        name: 'flex',
        issuer: ISS,
        subject: null,
        audiences: [AUD],
        claimsMatchingExpression: { value, languageVersion: 1 },
      }),
      LABEL,
    );
    expect(out[0]).toMatchObject({
      name: 'flex',
      subject: null,
      claimsMatchingExpression: { value, languageVersion: 1 },
    });
  });

  it('a flexible credential without subject, expression as a string, languageVersion defaults to 1', async () => {
    const out = await parseCredentialsText(
      JSON.stringify({ name: 'flex', issuer: ISS, audiences: [AUD], claimsMatchingExpression: "claims['sub'] eq 'x'" }),
      LABEL,
    );
    expect(out[0]!.claimsMatchingExpression).toEqual({ value: "claims['sub'] eq 'x'", languageVersion: 1 });
    const out2 = await parseCredentialsText(
      JSON.stringify({
        name: 'flex',
        issuer: ISS,
        audiences: [AUD],
        claimsMatchingExpression: { value: "claims['sub'] eq 'x'" },
      }),
      LABEL,
    );
    expect(out2[0]!.claimsMatchingExpression).toEqual({ value: "claims['sub'] eq 'x'", languageVersion: 1 });
  });

  it('keeps a languageVersion other than 1 (the comparison reports it)', async () => {
    const out = await parseCredentialsText(
      JSON.stringify({
        name: 'f',
        issuer: ISS,
        audiences: [AUD],
        claimsMatchingExpression: { value: 'x', languageVersion: 2 },
      }),
      LABEL,
    );
    expect(out[0]!.claimsMatchingExpression?.languageVersion).toBe(2);
  });

  it('a missing name is numbered', async () => {
    const out = await parseCredentialsText(
      JSON.stringify([
        { issuer: ISS, subject: 's', audiences: [AUD] },
        { issuer: ISS, subject: 't', audiences: [AUD] },
      ]),
      LABEL,
    );
    expect(out.map((c) => c.name)).toEqual(['credential-1', 'credential-2']);
  });

  it('keeps values exactly (no trimming: a trailing slash or space is evidence)', async () => {
    const out = await parseCredentialsText(
      JSON.stringify({ name: 'a', issuer: ` ${ISS}/ `, subject: 'repo:O/R:environment:Prod ', audiences: [AUD] }),
      LABEL,
    );
    expect(out[0]).toMatchObject({ issuer: ` ${ISS}/ `, subject: 'repo:O/R:environment:Prod ' });
  });

  it('surrounding whitespace and a BOM-free JSON with newlines', async () => {
    expect(await parseCredentialsText(`\n\n  ${JSON.stringify([graphCred], null, 2)}\n`, LABEL)).toHaveLength(1);
  });
});

describe('errors name the field and the credential', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [42], /credential 1: expected an object with name, issuer, subject and audiences/],
    ['a list inside the list', [[graphCred]], /credential 1: expected an object/],
    ['null entry', [graphCred, null], /credential 2: expected an object/],
    [
      'missing issuer',
      [{ name: 'x', subject: 's', audiences: [AUD] }],
      /credential 1 \('x'\): 'issuer' is missing or not a string/,
    ],
    [
      'numeric issuer',
      [{ name: 'x', issuer: 1, subject: 's', audiences: [AUD] }],
      /'issuer' is missing or not a string/,
    ],
    [
      'missing audiences',
      [{ name: 'x', issuer: ISS, subject: 's' }],
      /\('x'\): 'audiences' must be a list with one string/,
    ],
    [
      'audiences with a number',
      [{ name: 'x', issuer: ISS, subject: 's', audiences: [1] }],
      /'audiences' must be a list with one string/,
    ],
    [
      'two audiences',
      [{ name: 'x', issuer: ISS, subject: 's', audiences: [AUD, 'b'] }],
      /'audiences' has 2 values; Entra accepts exactly one/,
    ],
    ['empty audiences', [{ name: 'x', issuer: ISS, subject: 's', audiences: [] }], /'audiences' has 0 values/],
    [
      'numeric subject',
      [{ name: 'x', issuer: ISS, subject: 5, audiences: [AUD] }],
      /\('x'\): 'subject' must be a string/,
    ],
    [
      'neither subject nor expression',
      [{ name: 'x', issuer: ISS, audiences: [AUD] }],
      /needs a 'subject' \(or, for a flexible credential, a 'claimsMatchingExpression'\)/,
    ],
    [
      'both subject and expression',
      [
        {
          name: 'x',
          issuer: ISS,
          subject: 's',
          audiences: [AUD],
          claimsMatchingExpression: { value: 'v', languageVersion: 1 },
        },
      ],
      /has both 'subject' and 'claimsMatchingExpression'/,
    ],
    [
      'expression without value',
      [{ name: 'x', issuer: ISS, audiences: [AUD], claimsMatchingExpression: { languageVersion: 1 } }],
      /'claimsMatchingExpression' must be \{"value": "...", "languageVersion": 1\}/,
    ],
    [
      'expression a number',
      [{ name: 'x', issuer: ISS, audiences: [AUD], claimsMatchingExpression: 3 }],
      /'claimsMatchingExpression' must be/,
    ],
    [
      'third credential bad',
      [graphCred, graphCred, { name: 'third', issuer: ISS, subject: 's' }],
      /credential 3 \('third'\)/,
    ],
    [
      'ARM without properties.issuer',
      [{ name: 'arm', properties: { subject: 's', audiences: [AUD] } }],
      /\('arm'\): 'issuer' is missing/,
    ],
    ['a bare string', 'just a string', /credential 1: expected an object/],
  ];
  it.each(cases)('%s', async (_label, data, message) => {
    const e = await rejects(typeof data === 'string' ? data : JSON.stringify(data));
    expect(e.code).toBe('CREDENTIALS_SHAPE');
    expect(e.message.startsWith(LABEL)).toBe(true);
    expect(e.message).toMatch(message);
  });

  it('empty text', async () => {
    const e = await rejects('  \n ');
    expect(e.code).toBe('CREDENTIALS_SHAPE');
    expect(e.message).toBe(`${LABEL} is empty.`);
  });

  it('broken JSON is a syntax error that says JSON', async () => {
    const e = await rejects('[{"name": "a",}]');
    expect(e.code).toBe('CREDENTIALS_SYNTAX');
    expect(e.message).toContain(`${LABEL} is not valid JSON`);
  });

  it("broken YAML is a syntax error with one line of the parser's message", async () => {
    const e = await rejects('- name: a\n  issuer: [unclosed\n');
    expect(e.code).toBe('CREDENTIALS_SYNTAX');
    expect(e.message).toContain('neither JSON nor valid YAML');
    expect(e.message).not.toContain('\n');
  });

  it('a YAML alias bomb is refused', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
    ].join('\n');
    const e = await rejects(bomb);
    expect(e.code).toBe('CREDENTIALS_SYNTAX');
  });

  it('YAML with two documents is refused', async () => {
    expect((await rejects(`name: a\n---\nname: b\n`)).code).toBe('CREDENTIALS_SYNTAX');
  });
});

describe('properties: hostile or huge input only ever fails with CredentialsInputError', () => {
  async function settle(text: string): Promise<void> {
    try {
      const out = await parseCredentialsText(text, LABEL);
      for (const c of out) {
        expect(typeof c.name).toBe('string');
        expect(typeof c.issuer).toBe('string');
        expect(c.audiences).toHaveLength(1);
        expect(typeof c.subject === 'string' || c.claimsMatchingExpression?.value !== undefined).toBe(true);
      }
    } catch (e) {
      expect(e).toBeInstanceOf(CredentialsInputError);
    }
  }

  it('random text (JSON-ish, YAML-ish, hostile)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileString(60),
          hostileString(20).map((s) => `{${s}`),
          hostileString(20).map((s) => `- ${s}\n  x: ${s}`),
        ),
        settle,
      ),
      { numRuns: 300 },
    );
  });

  it('random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (v) => settle(JSON.stringify(v) ?? 'null')),
      { numRuns: 300 },
    );
  });

  it('random credential-like objects', async () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
    );
    const credLike = fc.record(
      {
        name: anyValue,
        issuer: anyValue,
        subject: anyValue,
        audiences: anyValue,
        audience: anyValue,
        claimsMatchingExpression: fc.oneof(anyValue, fc.record({ value: anyValue, languageVersion: anyValue })),
        properties: fc.oneof(anyValue, fc.record({ issuer: anyValue, subject: anyValue, audiences: anyValue })),
        description: anyValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          credLike,
          fc.array(credLike, { maxLength: 3 }),
          fc.record({ value: fc.array(credLike, { maxLength: 3 }) }),
        ),
        (v) => settle(JSON.stringify(v)),
      ),
      {
        numRuns: 300,
      },
    );
  });

  it('huge and deeply nested input', async () => {
    await settle('['.repeat(100_000) + ']'.repeat(100_000));
    await settle(`${'- '.repeat(5_000)}x`);
    await settle(`${'a: '.repeat(5_000)}x`);
    await settle(`${'['.repeat(20_000)}`);
    await settle(`{"name": "${'x'.repeat(1_000_000)}", "issuer": 1}`);
    await settle('x'.repeat(2_000_000));
    await settle(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ ...graphCred, name: `c${i}` }))));
  });

  it('prototype-looking keys are plain data', async () => {
    const out = await parseCredentialsText(
      '{"__proto__": {"issuer": "evil"}, "name": "a", "issuer": "i", "subject": "s", "audiences": ["a"]}',
      LABEL,
    );
    expect(out[0]!.issuer).toBe('i');
    expect(({} as Record<string, unknown>).issuer).toBeUndefined();
    const yaml = await parseCredentialsText(
      '__proto__:\n  polluted: yes\nname: a\nissuer: i\nsubject: s\naudiences: [a]\n',
      LABEL,
    );
    expect(yaml[0]!.name).toBe('a');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  azAppCreateCommand,
  azIdentityCreateCommand,
  createCommands,
  credentialNameForSubject,
  type CredentialSpec,
} from '../../src/diagnose/fix-commands.js';
import { hostileArgument } from '../support/hostile-strings.js';
import { bashCalls, splitShellWords } from '../support/shell-words.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const ISSUER = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';

function spec(subject: string, name = credentialNameForSubject(subject)): CredentialSpec {
  return { name, issuer: ISSUER, subject, audience: AUD };
}

describe('credentialNameForSubject', () => {
  it.each([
    ['repo:octo-org/octo-repo:environment:production', 'github-env-production'],
    ['repo:octo-org/octo-repo:environment:Prod East', 'github-env-Prod-East'],
    ['repo:octo-org/octo-repo:pull_request', 'github-pull-request'],
    ['repo:octo-org/octo-repo:ref:refs/heads/main', 'github-branch-main'],
    ['repo:octo-org/octo-repo:ref:refs/heads/release/v2', 'github-branch-release-v2'],
    ['repo:octo-org/octo-repo:ref:refs/tags/v1.2.3', 'github-tag-v1-2-3'],
    ['repo:octo@1/repo@2:environment:prod', 'github-env-prod'],
    ['repository_owner_id:1:repository_id:2:environment:staging', 'github-env-staging'],
    ['repository_owner_id:1:repository_id:2:pull_request', 'github-pull-request'],
    ['repo:o/r:ref:refs/pull/1/merge', 'github-actions'],
    ['repository_owner:o:workflow:deploy', 'github-actions'],
    ['repo:o/r:environment:', 'github-env'],
  ])('%s → %s', (subject, name) => {
    expect(credentialNameForSubject(subject)).toBe(name);
  });

  it('property: always a valid Entra credential name', () => {
    fc.assert(
      fc.property(
        hostileArgument(40),
        fc.constantFrom('environment:', 'ref:refs/heads/', 'ref:refs/tags/', ''),
        (value, kind) => {
          expect(credentialNameForSubject(`repo:o/r:${kind}${value}`)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
        },
      ),
    );
  });
});

describe('azAppCreateCommand', () => {
  it('writes the Graph parameters as one JSON argument', () => {
    const s = spec('repo:octo-org/octo-repo:environment:production');
    const cmd = azAppCreateCommand(CLIENT, s);
    expect(cmd).toBe(
      `az ad app federated-credential create --id ${CLIENT} --parameters ` +
        `'{"name":"github-env-production","issuer":"${ISSUER}","subject":"repo:octo-org/` +
        `octo-repo:environment:production","audiences":["${AUD}"]}'`,
    );
    const words = splitShellWords(cmd);
    expect(words.slice(0, 7)).toEqual(['az', 'ad', 'app', 'federated-credential', 'create', '--id', CLIENT]);
    expect(JSON.parse(words[8]!)).toEqual({ name: s.name, issuer: ISSUER, subject: s.subject, audiences: [AUD] });
  });
});

describe('azIdentityCreateCommand', () => {
  it('names every field and uses placeholders for the identity', () => {
    const cmd = azIdentityCreateCommand(spec('repo:o/r:ref:refs/heads/main'));
    expect(splitShellWords(cmd)).toEqual([
      'az',
      'identity',
      'federated-credential',
      'create',
      '--name',
      'github-branch-main',
      '--identity-name',
      '<IDENTITY-NAME>',
      '--resource-group',
      '<RESOURCE-GROUP>',
      '--issuer',
      ISSUER,
      '--subject',
      'repo:o/r:ref:refs/heads/main',
      '--audiences',
      AUD,
    ]);
  });

  it('takes the identity and resource group when known', () => {
    const words = splitShellWords(azIdentityCreateCommand(spec('repo:o/r:pull_request'), 'id-deploy', 'rg prod'));
    expect(words).toContain('id-deploy');
    expect(words).toContain('rg prod');
  });
});

describe('createCommands', () => {
  it('labels both commands', () => {
    const out = createCommands(CLIENT, spec('repo:o/r:pull_request')).split('\n');
    expect(out[0]).toBe('# App registration:');
    expect(out[1]).toMatch(/^az ad app federated-credential create /);
    expect(out[2]).toBe('# or user-assigned managed identity:');
    expect(out[3]).toMatch(/^az identity federated-credential create /);
  });

  const hostile = [
    "prod'; echo INJECTED; '",
    'a`echo INJECTED`b',
    '$(echo INJECTED)',
    'line1\nline2\n# comment\naz evil',
    '"quoted" \\"escaped\\"',
    "it's",
    '${HOME}',
    '; rm -rf / #',
    '\u2028 unicode 漢字 🎉',
  ];

  it.each(hostile.map((h) => [h]))('bash sees exactly the values for environment %j', (env) => {
    const subject = `repo:octo-org/octo-repo:environment:${env}`;
    const s = spec(subject, `name ${env}`);
    const calls = bashCalls(createCommands(CLIENT, s));
    expect(calls).toHaveLength(2);
    const [app, identity] = calls as [string[], string[]];
    expect(app.slice(0, 6)).toEqual(['ad', 'app', 'federated-credential', 'create', '--id', CLIENT]);
    expect(app[6]).toBe('--parameters');
    expect(JSON.parse(app[7]!)).toEqual({ name: s.name, issuer: ISSUER, subject, audiences: [AUD] });
    expect(app).toHaveLength(8);
    expect(identity).toEqual([
      'identity',
      'federated-credential',
      'create',
      '--name',
      s.name,
      '--identity-name',
      '<IDENTITY-NAME>',
      '--resource-group',
      '<RESOURCE-GROUP>',
      '--issuer',
      ISSUER,
      '--subject',
      subject,
      '--audiences',
      AUD,
    ]);
  });

  it('property: for any hostile subject, name, issuer and audience, bash sees exactly those values', () => {
    fc.assert(
      fc.property(
        hostileArgument(30),
        hostileArgument(20),
        hostileArgument(10),
        hostileArgument(10),
        (sub, name, issuer, audience) => {
          const s: CredentialSpec = { name, issuer, subject: sub, audience };
          const [app, identity] = bashCalls(createCommands(CLIENT, s)) as [string[], string[]];
          expect(JSON.parse(app[7]!)).toEqual({ name, issuer, subject: sub, audiences: [audience] });
          expect(identity[4]).toBe(name);
          expect(identity[10]).toBe(issuer);
          expect(identity[12]).toBe(sub);
          expect(identity[14]).toBe(audience);
          expect(identity).toHaveLength(15);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('property: the pure word splitter agrees (no unquoted expansion anywhere)', () => {
    fc.assert(
      fc.property(hostileArgument(30), hostileArgument(20), (sub, name) => {
        const s = spec(sub, name);
        const appWords = splitShellWords(azAppCreateCommand(CLIENT, s));
        expect(JSON.parse(appWords[8]!).subject).toBe(sub);
        const idWords = splitShellWords(azIdentityCreateCommand(s));
        expect(idWords[5]).toBe(name);
        expect(idWords[13]).toBe(sub);
      }),
      { numRuns: 500 },
    );
  });
});

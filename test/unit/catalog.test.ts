import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  catalogCodes,
  catalogEntry,
  fillPlaceholders,
  rankCauses,
  type CauseContext,
} from '../../src/diagnose/catalog.js';
import { FINDING_IDS, type FindingId } from '../../src/diagnose/finding.js';
import { CLOUDS } from '../../src/entra/clouds.js';
import {
  catalogMarkdownTable,
  currentCatalogBlock,
  END_MARKER,
  markdownCell,
  replaceCatalogBlock,
  START_MARKER,
} from '../../scripts/catalog-table.js';

/** The mapping the product promises (README "Finding ids"). */
const REQUIRED: Record<number, FindingId> = {
  70021: 'credential-not-found',
  70025: 'credential-not-found',
  700211: 'issuer-mismatch',
  700212: 'audience-mismatch',
  700213: 'subject-mismatch',
  7002138: 'subject-case-mismatch',
  7002131: 'subject-mismatch',
  700024: 'assertion-expired',
  7000272: 'signing-key-not-found',
  90061: 'issuer-unreachable',
  50166: 'issuer-unreachable',
  50027: 'assertion-invalid',
  5002730: 'assertion-invalid',
  700016: 'client-not-found',
  90002: 'tenant-not-found',
  900023: 'tenant-not-found',
  90014: 'request-invalid',
  900144: 'request-invalid',
  7000218: 'request-invalid',
  7000112: 'client-disabled',
  500011: 'request-invalid',
  70011: 'request-invalid',
  50049: 'cloud-mismatch',
  53003: 'tenant-policy',
  700223: 'tenant-policy',
  700238: 'tenant-policy',
  7002381: 'tenant-policy',
  700222: 'assertion-invalid',
  700229: 'assertion-invalid',
  240002: 'assertion-invalid',
  700027: 'assertion-invalid',
  700021: 'assertion-invalid',
  700023: 'assertion-invalid',
  50048: 'assertion-invalid',
  7000215: 'not-federation',
  7000222: 'not-federation',
  900439: 'cloud-mismatch',
  900440: 'cloud-mismatch',
  900382: 'cloud-mismatch',
};

const GENERIC =
  /check your (configuration|settings|setup)|verify your configuration|make sure everything is configured/i;

describe('catalog', () => {
  it('has every required code with the promised finding id', () => {
    for (const [code, id] of Object.entries(REQUIRED)) {
      const entry = catalogEntry(Number(code));
      expect(entry, `AADSTS${code}`).toBeDefined();
      expect(entry!.findingId, `AADSTS${code}`).toBe(id);
    }
  });

  it('has one entry per code, in FINDING_IDS, complete', () => {
    const codes = CATALOG.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(catalogCodes()).toEqual([...codes].sort((a, b) => a - b));
    for (const e of CATALOG) {
      const where = `AADSTS${e.code}`;
      expect(FINDING_IDS, where).toContain(e.findingId);
      expect(['error', 'warning', 'notice'], where).toContain(e.severity);
      expect(e.title.length, where).toBeGreaterThan(10);
      expect(e.title, where).not.toMatch(/\.$/);
      expect(e.meaning.length, where).toBeGreaterThan(30);
      expect(e.causes.length, where).toBeGreaterThan(0);
      expect(new Set(e.causes.map((c) => c.id)).size, where).toBe(e.causes.length);
      for (const c of e.causes) expect(c.text.length, `${where} ${c.id}`).toBeGreaterThan(20);
      expect(e.fix.length, where).toBeGreaterThan(0);
      expect(e.docs, where).toMatch(/^https:\/\//);
      expect(typeof e.name, where).toBe('string');
      if (e.retry) expect(['never', 'transient', 'propagation'], where).toContain(e.retry);
    }
  });

  it('every fix is concrete: a command, workflow YAML, or a portal path — never generic advice', () => {
    const concrete = new RegExp(
      String.raw`\baz |curl |azure-federation-check |uses: |permissions:|environment:|audience:|client-id:|` +
        String.raw`tenant-id:|→|grant_type=|\/\.default|az rest|set-ntp|https:\/\/login\.`,
    );
    for (const e of CATALOG) {
      expect(
        e.fix.some((step) => concrete.test(step)),
        `AADSTS${e.code}: ${e.fix.join(' | ')}`,
      ).toBe(true);
      for (const text of [e.title, e.meaning, ...e.fix, ...e.causes.map((c) => c.text)])
        expect(text, `AADSTS${e.code}`).not.toMatch(GENERIC);
    }
  });

  it('uses names Microsoft publishes for the codes that have one', () => {
    expect(catalogEntry(700016)!.name).toBe('UnauthorizedClient_DoesNotMatchRequest');
    expect(catalogEntry(90002)!.name).toBe('InvalidTenantName');
    expect(catalogEntry(53003)!.name).toBe('BlockedByConditionalAccess');
    expect(catalogEntry(7000112)!.name).toBe('UnauthorizedClientApplicationDisabled');
    expect(catalogEntry(700229)!.name).toBe('ForbiddenTokenType');
    expect(catalogEntry(700213)!.name).toBe('NoMatchingFederatedIdentityRecordFoundForSubject');
  });

  it('marks the codes that can clear by themselves', () => {
    expect(catalogEntry(70021)!.retry).toBe('propagation');
    expect(catalogEntry(70025)!.retry).toBe('propagation');
    expect(catalogEntry(7000272)!.retry).toBe('propagation');
    expect(catalogEntry(90061)!.retry).toBe('transient');
    expect(catalogEntry(700213)!.retry).toBe('never');
    expect(catalogEntry(53003)!.retry).toBe('never');
  });

  it('returns undefined for unknown codes', () => {
    expect(catalogEntry(12345678)).toBeUndefined();
  });
});

describe('rankCauses', () => {
  const base = (over: Partial<CauseContext>): CauseContext => ({ presented: {}, details: {}, ...over });

  it('puts causes the evidence shows first and those it rules out last', () => {
    const ranked = rankCauses(catalogEntry(700213)!, base({ presented: { subject: 'repo:o/r:pull_request' } }));
    expect(ranked[0]!.cause.id).toBe('pull-request');
    expect(ranked[0]!.applies).toBe(true);
    const env = ranked.find((r) => r.cause.id === 'environment-vs-branch')!;
    expect(env.applies).toBeUndefined();
    expect(ranked.at(-1)!.applies).toBe(false);
  });

  it('uses the credentials: a credential for an environment while the job sends a branch', () => {
    const ranked = rankCauses(
      catalogEntry(700213)!,
      base({
        presented: { subject: 'repo:o/r:ref:refs/heads/main' },
        credentials: [
          {
            name: 'prod',
            issuer: 'https://token.actions.githubusercontent.com',
            subject: 'repo:o/r:environment:prod',
            audiences: ['api://AzureADTokenExchange'],
          },
        ],
      }),
    );
    expect(ranked.filter((r) => r.applies === true).map((r) => r.cause.id)).toContain('environment-vs-branch');
  });

  it('the immutable form shows itself', () => {
    const ranked = rankCauses(
      catalogEntry(700213)!,
      base({ presented: { subject: 'repo:octo@1/app@2:ref:refs/heads/main' } }),
    );
    expect(ranked.filter((r) => r.applies === true).map((r) => r.cause.id)).toContain('immutable-vs-name');
  });

  it('sovereign audience: ruled out in the public cloud, shown for a US Government credential', () => {
    const entry = catalogEntry(700212)!;
    const pub = rankCauses(
      entry,
      base({ presented: { audience: 'api://AzureADTokenExchange' }, cloud: CLOUDS.azurecloud }),
    );
    expect(pub.find((r) => r.cause.id === 'sovereign-audience')!.applies).toBe(false);
    const gov = rankCauses(
      entry,
      base({ presented: { audience: 'api://AzureADTokenExchange' }, cloud: CLOUDS.azureusgovernment }),
    );
    expect(gov[0]!.cause.id).toBe('sovereign-audience');
  });

  it('7002381: an absent enterprise claim shows the personal-account cause', () => {
    const ranked = rankCauses(
      catalogEntry(7002381)!,
      base({
        claims: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:me/app:ref:refs/heads/main',
          aud: 'api://AzureADTokenExchange',
        },
        details: { allowedValues: ['github'] },
      }),
    );
    expect(ranked[0]!.cause.id).toBe('no-enterprise');
    expect(ranked.find((r) => r.cause.id === 'other-enterprise')!.applies).toBe(false);
  });

  it('a throwing predicate counts as unknown', () => {
    const entry = {
      ...catalogEntry(70011)!,
      causes: [
        {
          id: 'x',
          text: 'boom boom boom boom boom',
          appliesWhen: () => {
            throw new Error('no');
          },
        },
      ],
    };
    expect(rankCauses(entry, base({}))[0]!.applies).toBeUndefined();
  });
});

describe('fillPlaceholders', () => {
  it('fills known values and leaves unsafe or masked ones as placeholders', () => {
    const step = 'az ad app show --id <APPLICATION-CLIENT-ID> --parameters \'{"subject":"<PRESENTED-SUBJECT>"}\'';
    expect(fillPlaceholders(step, { clientId: 'abc', subject: 'repo:o/r:environment:prod' })).toBe(
      'az ad app show --id abc --parameters \'{"subject":"repo:o/r:environment:prod"}\'',
    );
    expect(fillPlaceholders(step, { clientId: '***', subject: "repo:o/r:environment:it's" })).toBe(step);
  });
});

describe('README table', () => {
  it('has a row per entry with code, finding id, meaning and first fix', () => {
    const table = catalogMarkdownTable();
    const lines = table.split('\n');
    expect(lines[0]).toBe('| Code | Finding id | Meaning | First fix |');
    expect(lines).toHaveLength(CATALOG.length + 2);
    const row = lines.find((l) => l.includes('AADSTS700213'))!;
    expect(row).toContain('`subject-mismatch`');
    // Every row has exactly four cells: no unescaped pipe anywhere.
    for (const l of lines.slice(2)) expect(l.replace(/\\\|/g, '').split('|').length, l).toBe(6);
  });

  it('escapes pipes (also inside code spans), angle brackets and lone backticks', () => {
    expect(markdownCell('a | b')).toBe('a \\| b');
    expect(markdownCell('run `a | b` now')).toBe('run `a \\| b` now');
    expect(markdownCell('id <APPLICATION-CLIENT-ID>')).toBe('id \\<APPLICATION-CLIENT-ID\\>');
    expect(markdownCell('`az --id <X>`')).toBe('`az --id <X>`');
    expect(markdownCell('one ` tick')).toBe('one \\` tick');
    expect(markdownCell('line\nbreak')).toBe('line break');
    expect(markdownCell('a_b *c*')).toBe('a\\_b \\*c\\*');
  });

  it('replaces only the marked block', () => {
    const readme = `# Title\n\n${START_MARKER}\nold\n${END_MARKER}\n\nAfter.\n`;
    const next = replaceCatalogBlock(readme, 'NEW')!;
    expect(next).toBe(`# Title\n\n${START_MARKER}\nNEW\n${END_MARKER}\n\nAfter.\n`);
    expect(replaceCatalogBlock('# no markers', 'NEW')).toBeUndefined();
    expect(currentCatalogBlock(next)).toBe('NEW');
  });

  const readmePath = new URL('../../README.md', import.meta.url);
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8').replace(/\r\n/g, '\n') : undefined;
  const block = readme === undefined ? undefined : currentCatalogBlock(readme);
  it('README.md catalog block equals the generated table (regenerate with npm run catalog)', () => {
    expect(block).toBe(catalogMarkdownTable());
  });
});

/**
 * Issue 13 point 5 at the unit level: the summary cap keeps Markdown whole, aliases resolve as
 * the yaml library resolves them (in one walk), and hostile YAML within the size cap stays bounded.
 */
import { parseDocument } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { RunDeadline, WATCHDOG_GRACE_MS } from '../../src/action/deadline.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { capSummary } from '../../src/report/summary-cap.js';
import { aliasTargets, MAX_YAML_ALIASES } from '../../src/workflow/yaml-aliases.js';
import { parseWorkflow } from '../../src/workflow/parse.js';

describe('capSummary', () => {
  it('leaves a summary under the cap as it is', () => {
    expect(capSummary('## ok\n\ntext\n', 1000)).toBe('## ok\n\ntext\n');
  });

  it('cuts outside fenced blocks, keeps table rows whole, and says so', () => {
    const block = `\`\`\`text\n${'line in a block\n'.repeat(50)}\`\`\``;
    const table = ['| a | b |', '|---|---|', ...Array.from({ length: 200 }, (_, i) => `| ${i} | x |`)].join('\n');
    const summary = [`## title`, block, table, block].join('\n\n');
    const out = capSummary(summary, 3000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(3000);
    expect(out).toContain('The summary is cut here');
    const body = out.slice(0, out.indexOf('**The summary is cut here**'));
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    for (const line of body.split('\n').filter((l) => l.startsWith('|'))) expect(line).toMatch(/^\|.*\|$/);
  });

  it('counts bytes, not characters', () => {
    const out = capSummary(`${'é'.repeat(2000)}\n`.repeat(10), 10_000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(10_000);
  });
});

describe('aliasTargets', () => {
  it('resolves each alias to the nearest anchor before it, as Alias.resolve does', () => {
    const doc = parseDocument('a: &x 1\nb: *x\nc: &x 2\nd: *x\ne: *missing\n');
    const { aliases, targets } = aliasTargets(doc);
    expect(aliases).toBe(3);
    for (const [alias, target] of targets) expect(target).toBe(alias.resolve(doc));
  });

  it('workflows with more aliases than the cap are refused with the count', () => {
    const text =
      `x: &a {runs-on: ubuntu-latest}\non: push\njobs:\n` +
      `${Array.from({ length: MAX_YAML_ALIASES + 1 }, (_, i) => `  j${i}: *a\n`).join('')}`;
    const wf = parseWorkflow(text, 'w.yml');
    expect(wf.jobs).toEqual([]);
    expect(wf.errors[0]!.message).toContain(`${MAX_YAML_ALIASES + 1} aliases`);
  });

  it('a merge-key chain that would double at each level parses to its jobs', () => {
    // Each map merges the two before it: expanded naively, 2^n keys; each map is expanded once per lookup.
    const maps = Array.from({ length: 20 }, (_, i) =>
      i < 2 ? `m${i}: &m${i} {k${i}: v}` : `m${i}: &m${i} {<<: [*m${i - 1}, *m${i - 2}], k${i}: v}`,
    );
    const jobs = Array.from(
      { length: 150 },
      (_, i) => `  j${i}:\n    <<: *m19\n    runs-on: ubuntu-latest\n    steps: [{run: x}]`,
    );
    const wf = parseWorkflow(`${maps.join('\n')}\non: push\njobs:\n${jobs.join('\n')}\n`, 'w.yml');
    expect(wf.errors.filter((e) => e.kind === 'yaml')).toEqual([]);
    expect(wf.jobs).toHaveLength(150);
  });

  it('a merge-key bomb (999 jobs merging a map of 20,000 keys, 270 KB) is refused, saying why', () => {
    const big = `big: &M {${Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join(', ')}}`;
    const jobs = Array.from(
      { length: 999 },
      (_, i) => `  j${i}: {<<: *M, runs-on: x, steps: [{uses: azure/login@v2}]}`,
    );
    const wf = parseWorkflow(`${big}\non: push\njobs:\n${jobs.join('\n')}\n`, 'w.yml');
    expect(wf.errors[0]!.message).toContain('merge keys (<<) expand to more than 100000 entries');
  });
});

describe('duplicate keys, found in one walk', () => {
  it('are still reported where they are', () => {
    const wf = parseWorkflow('on: push\non: pull_request\njobs: {}\n', 'd.yml');
    expect(wf.errors).toEqual([
      { kind: 'yaml', message: 'Map keys must be unique', line: 2, column: 1, code: 'DUPLICATE_KEY' },
    ]);
  });

  it('a map of 20,000 distinct keys parses (the library check compared every pair)', () => {
    const env = Array.from({ length: 20_000 }, (_, i) => `  K${i}: v`).join('\n');
    const wf = parseWorkflow(`on: push\nenv:\n${env}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: x}]\n`, 'w.yml');
    expect(wf.errors).toEqual([]);
    expect(Object.keys(wf.env)).toHaveLength(20_000);
  });
});

describe('RunDeadline (the whole-run watchdog)', () => {
  it('reports run-timeout once, after the grace, drops the late report, then ends the process', async () => {
    vi.useFakeTimers();
    try {
      const watch = new RunDeadline(Date.now() + 1000, 1);
      watch.stage = "waiting for Entra's answer";
      const reports: Finding[] = [];
      const exits: number[] = [];
      watch.arm(
        async (f) => {
          expect(watch.claim()).toBe(true);
          reports.push(f);
          return 1;
        },
        (code) => exits.push(code),
      );
      await vi.advanceTimersByTimeAsync(1000 + WATCHDOG_GRACE_MS - 1);
      expect(reports).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(reports.map((f) => [f.id, f.severity])).toEqual([['run-timeout', 'error']]);
      expect(reports[0]!.message).toContain("while waiting for Entra's answer");
      // The run's own report, arriving late, is dropped and takes the timeout's exit code.
      expect(watch.claim()).toBe(false);
      expect(watch.lateCode()).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(exits).toEqual([1]);
    } finally {
      vi.useRealTimers();
      process.exitCode = undefined;
    }
  });

  it('never fires once the run has reported', async () => {
    vi.useFakeTimers();
    try {
      const watch = new RunDeadline(Date.now() + 1000, 1);
      const report = vi.fn(async () => 1);
      watch.arm(report, () => undefined);
      expect(watch.claim()).toBe(true);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(report).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

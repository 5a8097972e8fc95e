/**
 * Folded block scalars (`>`, `>-`, `>+`) read by the fast reader (src/workflow/fast-yaml.ts) must fold
 * as the yaml library folds them: empty lines and more-indented lines included, as in real workflows
 * (`run-name: >-` and `matrix: >-` over several more-indented lines of an expression).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPlainYaml } from '../../src/workflow/fast-yaml.js';

function fastValue(text: string): unknown {
  const root = readPlainYaml(text) as { items: Array<{ value: { value: unknown } }> } | undefined;
  expect(root).toBeDefined();
  return root?.items[0]?.value.value;
}

const word = fc.constantFrom('a', 'b c', '${{ x }}', '|| y', "'z'", 'd,');
const line = fc.oneof(
  fc.constant(''),
  word,
  fc.tuple(fc.integer({ min: 1, max: 3 }), word).map(([n, w]) => `${' '.repeat(n)}${w}`),
);

describe('fast YAML reader: folded scalars', () => {
  it('folds like the library: empty lines, more-indented lines, chomping', () => {
    fc.assert(
      fc.property(word, fc.array(line, { maxLength: 8 }), fc.constantFrom('', '-', '+'), (first, rest, chomp) => {
        const body = [first, ...rest].map((l) => (l === '' ? '' : `  ${l}`));
        const text = `k: >${chomp}\n${body.join('\n')}\nnext: 1\n`;
        expect(fastValue(text)).toEqual(parse(text).k);
      }),
      { numRuns: 500 },
    );
  });

  it('reads an expression folded over more-indented lines (a real run-name)', () => {
    const text = [
      'run-name: >-',
      '  Publish',
      "  ${{ github.event.client_payload.version && format('(v{0})', github.event.client_payload.version)",
      "   || inputs.version && format('(v{0})', inputs.version) }}",
      '',
      'on: push',
      '',
    ].join('\n');
    expect(fastValue(text)).toEqual(parse(text)['run-name']);
  });
});

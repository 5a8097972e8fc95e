/**
 * The fast reader for plain block YAML (src/workflow/fast-yaml.ts) must give what the yaml library
 * gives, values and positions, or step aside (undefined) so the library reads the file.
 */
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from '../../src/workflow/fast-yaml.js';
import { parseWorkflow } from '../../src/workflow/parse.js';

const same = (text: string) => {
  expect(readPlainYaml(text)).toBeDefined();
  expect(JSON.parse(JSON.stringify(parseWorkflow(text, 'w.yml')))).toEqual(
    JSON.parse(JSON.stringify(parseWorkflow(text, 'w.yml', { yamlLibrary: true }))),
  );
};

describe('fast YAML reader', () => {
  it('reads block maps, key-indent sequences, quoted/typed scalars, comments and flow lists like the library', () => {
    same(
      [
        '---',
        'name: "Deploy: \\"prod\\"" # comment',
        'on:',
        '  push:',
        '    branches:',
        '    - main',
        "    - 'release/**'",
        '  workflow_dispatch:',
        '    inputs:',
        '      flag: { type: boolean, default: true }',
        'permissions: { id-token: write, contents: read }',
        'env:',
        '  RETRIES: 3',
        '  EMPTY:',
        'jobs:',
        '  deploy:',
        '    needs: [',
        '      build, # first',
        '      test',
        '    ]',
        "    if: github.event_name == 'push' &&",
        "      github.ref == 'refs/heads/main'",
        '    environment: prod',
        '    steps:',
        '      - uses: azure/login@v2',
        '        with:',
        '          client-id: ${{ vars.AZURE_CLIENT_ID }}',
        '      - run: |',
        '          echo "a # not a comment"',
        '          ',
        '          echo b',
        '      - run: >-',
        '          folded',
        '          text',
        '',
      ].join('\n'),
    );
  });

  it('keeps positions after a byte order mark and with CRLF line ends', () => {
    same('\uFEFFon: push\r\njobs:\r\n  a:\r\n    environment: prod\r\n    steps:\r\n      - uses: azure/login@v2\r\n');
  });

  it('steps aside for anchors, aliases, tags, tabs, several documents and duplicate keys', () => {
    for (const text of [
      'x: &a 1\ny: *a\n',
      'x: !!str 1\n',
      'x:\n\t- 1\n',
      'a: 1\n---\nb: 2\n',
      'a: 1\na: 2\n',
      'a: "unterminated\n  b"\n',
      'a: b: c\n',
    ])
      expect(readPlainYaml(text)).toBeUndefined();
  });
});

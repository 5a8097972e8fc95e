/**
 * Annotations on the workflow line to change, from a real workflow file in the workspace.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { annotations, findings, useWorld } from './world.js';

const world = useWorld();

const DEPLOY = `name: deploy
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: Production
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/azure-federation-check@v1
        with:
          client-id: \${{ vars.AZURE_CLIENT_ID }}
          tenant-id: \${{ vars.AZURE_TENANT_ID }}
          audience: api://AzureADTokenExchange
`;

async function workspace(files: Record<string, string>): Promise<string> {
  const ws = await mkdtemp(`${tmpdir()}/afc-ws-`);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(`${ws}/${path.slice(0, path.lastIndexOf('/'))}`, { recursive: true });
    await writeFile(`${ws}/${path}`, text);
  }
  return ws;
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('annotations land on the line to change', () => {
  it("an environment subject points at the job's environment: line", async () => {
    world.github.context.environment = 'Production';
    const ws = await workspace({ '.github/workflows/deploy.yml': DEPLOY });
    const r = await world.run({
      env: { GITHUB_WORKSPACE: ws, GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check' },
    });
    const [a] = annotations(r);
    expect(findings(r)[0]!.id).toBe('subject-mismatch');
    expect(a!.properties.file).toBe('.github/workflows/deploy.yml');
    expect(Number(a!.properties.line)).toBe(lineOf(DEPLOY, 'environment: Production'));
  });

  it('a pull request subject points at the pull_request trigger', async () => {
    world.github.context.eventName = 'pull_request';
    world.github.context.ref = 'refs/pull/7/merge';
    const text = DEPLOY.replace('    environment: Production\n', '');
    const ws = await workspace({ '.github/workflows/deploy.yml': text });
    const r = await world.run({ env: { GITHUB_WORKSPACE: ws } });
    const [a] = annotations(r);
    expect(Number(a!.properties.line)).toBe(lineOf(text, 'pull_request:'));
  });

  it("a missing id-token permission points at the job's permissions: block", async () => {
    const ws = await workspace({ '.github/workflows/deploy.yml': DEPLOY });
    const r = await world.run({
      env: { GITHUB_WORKSPACE: ws, ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    const [a] = annotations(r);
    expect(findings(r)[0]!.id).toBe('oidc-unavailable');
    expect(Number(a!.properties.line)).toBe(lineOf(DEPLOY, '    permissions:'));
  });

  it('a malformed input points at its with: line', async () => {
    const ws = await workspace({ '.github/workflows/deploy.yml': DEPLOY });
    const r = await world.run({
      inputs: { 'tenant-id': 'not a tenant' },
      env: { GITHUB_WORKSPACE: ws, GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check' },
    });
    const [a] = annotations(r);
    expect(Number(a!.properties.line)).toBe(lineOf(DEPLOY, 'tenant-id:'));
  });

  it('an audience mismatch points at the audience input', async () => {
    world.credentials[0]!.audiences = ['api://AzureADTokenExchangeUSGov'];
    const ws = await workspace({ '.github/workflows/deploy.yml': DEPLOY.replace('    environment: Production\n', '') });
    const r = await world.run({
      env: { GITHUB_WORKSPACE: ws, GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check' },
    });
    const a = annotations(r).find((x) => x.properties.title?.includes('AADSTS700212'));
    expect(a?.properties.line).toBeDefined();
    expect(Number(a!.properties.line)).toBe(lineOf(DEPLOY.replace('    environment: Production\n', ''), 'audience:'));
  });

  it('a reusable workflow: the environment line is in the called file; the message says whose sub it is', async () => {
    const caller =
      `name: release\non:\n  push:\n    branches: [main]\njobs:\n  call:\n` +
      `    uses: ./.github/workflows/reusable.yml\n    permissions:\n      id-token: write\n`;
    const called =
      `on:\n  workflow_call:\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n` +
      `    environment: Production\n    steps:\n` +
      `      - uses: octo-org/azure-federation-check@v1\n`;
    world.github.context.environment = 'Production';
    world.github.context.workflowFile = '.github/workflows/release.yml';
    world.github.context.jobWorkflowRef = 'octo-org/octo-repo/.github/workflows/reusable.yml@refs/heads/main';
    const ws = await workspace({ '.github/workflows/release.yml': caller, '.github/workflows/reusable.yml': called });
    const r = await world.run({ env: { GITHUB_WORKSPACE: ws } });
    const [a] = annotations(r);
    expect(a!.properties.file).toBe('.github/workflows/reusable.yml');
    expect(Number(a!.properties.line)).toBe(lineOf(called, 'environment: Production'));
    expect(findings(r)[0]!.message).toMatch(/reusable workflow/);
  });

  it('stays unplaced when the workflow file is not checked out', async () => {
    world.github.context.environment = 'Production';
    const ws = await mkdtemp(`${tmpdir()}/afc-empty-`);
    const r = await world.run({ env: { GITHUB_WORKSPACE: ws } });
    const [a] = annotations(r);
    expect(a!.properties.file).toBeUndefined();
    expect(findings(r)[0]!.id).toBe('subject-mismatch');
  });
});

/**
 * Windows: runners and laptops check files out with CRLF line ends (git's core.autocrlf) and tools
 * write `\`-separated paths. Annotations must still name the workspace-relative file with `/` and
 * the same line and column as on Linux.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { placeFindings } from '../../src/action/placement.js';
import type { Finding } from '../../src/diagnose/finding.js';
import {
  findRunningJob,
  lineForPermissions,
  lineForStepInput,
  lineForSubjectCause,
} from '../../src/workflow/locate.js';
import { parseWorkflow } from '../../src/workflow/parse.js';

const fixtures = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));
const names = readdirSync(fixtures).filter((n) => n.endsWith('.yml'));
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const DEPLOY = readFileSync(join(fixtures, 'deploy-environment.yml'), 'utf8');
const REF = 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main';
const temps: string[] = [];

afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function workspace(text: string): string {
  const ws = mkdtempSync(join(tmpdir(), 'afc-win-'));
  temps.push(ws);
  mkdirSync(join(ws, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(ws, '.github', 'workflows', 'deploy.yml'), text);
  return ws;
}

function finding(id: Finding['id'], message = 'What differs.'): Finding {
  return { id, severity: 'error', title: id, message, fix: 'The fix.' };
}

describe('CRLF workflow files', () => {
  it.each(names)('%s reads the same as with LF line ends', (name) => {
    const text = readFileSync(join(fixtures, name), 'utf8');
    const path = `.github/workflows/${name}`;
    expect(parseWorkflow(crlf(text), path)).toEqual(parseWorkflow(text, path));
  });

  it('lines for the subject, the permissions and a step input are the same', () => {
    const lf = parseWorkflow(DEPLOY, '.github/workflows/deploy.yml');
    const cr = parseWorkflow(crlf(DEPLOY), '.github/workflows/deploy.yml');
    const claims = { environment: 'production', sub: 'repo:octo-org/octo-repo:environment:production' };
    expect(lineForSubjectCause(cr, 'deploy', claims)).toEqual(lineForSubjectCause(lf, 'deploy', claims));
    expect(lineForSubjectCause(cr, 'deploy', claims)).toMatchObject({ line: 21, anchor: 'environment' });
    expect(lineForPermissions(cr, 'deploy')).toEqual(lineForPermissions(lf, 'deploy'));
    expect(lineForStepInput(cr, 'deploy', 'azure/login', 'client-id')).toEqual(
      lineForStepInput(lf, 'deploy', 'azure/login', 'client-id'),
    );
    expect(lineForStepInput(cr, 'deploy', 'azure/login', 'client-id')).toMatchObject({ line: 32 });
  });

  it('a finding on a CRLF file in the workspace is placed on the same line, with no carriage return', async () => {
    const ctx = {
      workflowRef: REF,
      job: 'deploy',
      claims: { environment: 'production', sub: 'repo:octo-org/octo-repo:environment:production' },
    };
    const findings = [finding('subject-mismatch')];
    const [lf] = await placeFindings(findings, { ...ctx, workspace: workspace(DEPLOY) });
    const [cr] = await placeFindings(findings, { ...ctx, workspace: workspace(crlf(DEPLOY)) });
    expect(lf?.location).toMatchObject({ file: '.github/workflows/deploy.yml', line: 21 });
    expect(cr).toEqual(lf);
    expect(cr?.message).not.toContain('\r');
  });
});

describe('`\\`-separated workspace-relative paths', () => {
  const windowsPath = '.github\\workflows\\deploy.yml';

  it('locations name the file with `/`, as annotations need', () => {
    const wf = parseWorkflow(crlf(DEPLOY), windowsPath);
    const claims = { environment: 'production' };
    expect(lineForSubjectCause(wf, 'deploy', claims).file).toBe('.github/workflows/deploy.yml');
    expect(lineForPermissions(wf, 'deploy').file).toBe('.github/workflows/deploy.yml');
    expect(lineForStepInput(wf, 'deploy', 'azure/login', 'tenant-id')).toMatchObject({
      file: '.github/workflows/deploy.yml',
      line: 33,
    });
  });

  it('the running job is found in a workflow read with a `\\` path', () => {
    const wf = parseWorkflow(DEPLOY, windowsPath);
    const running = findRunningJob([wf], { workflowRef: REF, job: 'deploy' });
    expect(running?.workflow).toBe(wf);
    expect(running?.job?.id).toBe('deploy');
    expect(running?.path).toBe('.github/workflows/deploy.yml');
  });

  it('a workspace path with a trailing separator places the same', async () => {
    const ws = workspace(crlf(DEPLOY));
    const ctx = { workflowRef: REF, job: 'deploy', claims: { environment: 'production' } };
    const [a] = await placeFindings([finding('oidc-unavailable')], { ...ctx, workspace: ws });
    const [b] = await placeFindings([finding('oidc-unavailable')], { ...ctx, workspace: `${ws}/` });
    expect(a?.location).toMatchObject({ file: '.github/workflows/deploy.yml', line: 24 });
    expect(b).toEqual(a);
  });
});

/** Reading a repository's workflow files from disk (the only I/O of the workflow modules). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWorkflow, type WorkflowFile } from './parse.js';

const WORKFLOWS_DIR = '.github/workflows';

/** Every `.yml`/`.yaml` under `.github/workflows/` of `root`, parsed; paths are repository-relative. */
export async function readWorkflows(root: string, options: { loginActions?: readonly string[] } = {}): Promise<{ workflows: WorkflowFile[]; missing: boolean }> {
  let names: string[];
  try {
    names = await readdir(join(root, WORKFLOWS_DIR));
  } catch {
    return { workflows: [], missing: true };
  }
  const files = names.filter((n) => /\.ya?ml$/i.test(n)).sort();
  const workflows = await Promise.all(
    files.map(async (n) => parseWorkflow(await readFile(join(root, WORKFLOWS_DIR, n), 'utf8'), `${WORKFLOWS_DIR}/${n}`, options)),
  );
  return { workflows, missing: false };
}

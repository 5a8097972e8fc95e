/** Reading a repository's workflow files from disk (the only I/O of the workflow modules). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWorkflow, type WorkflowFile } from './parse.js';
import { MAX_WORKFLOW_FILE_BYTES, readWorkspaceFile, WorkspaceFileError } from '../action/workspace-file.js';

export const WORKFLOWS_DIR = '.github/workflows';
/** All workflow files together: a repository has tens; the cap keeps a hostile one bounded in memory and time. */
const MAX_WORKFLOWS_BYTES = 8 * 1024 * 1024;

/** A workflow file that was not read, and why (never anything from the file itself). */
export interface UnreadWorkflow {
  path: string;
  reason: string;
  /** Refused (a link out, a directory, too large), rather than left for lack of time or room. */
  refused: boolean;
}

export interface ReadOptions {
  loginActions?: readonly string[];
  /** Epoch ms after which no further file is read (timeout-seconds). */
  deadline?: number;
}

/** Every `.yml`/`.yaml` under `.github/workflows/` of `root`, parsed; paths are repository-relative. */
export async function readWorkflows(
  root: string,
  options: ReadOptions = {},
): Promise<{ workflows: WorkflowFile[]; unread: UnreadWorkflow[]; missing: boolean }> {
  let names: string[];
  try {
    names = await readdir(join(root, WORKFLOWS_DIR));
  } catch {
    return { workflows: [], unread: [], missing: true };
  }
  const parseOptions = options.loginActions ? { loginActions: options.loginActions } : {};
  const workflows: WorkflowFile[] = [];
  const unread: UnreadWorkflow[] = [];
  let bytes = 0;
  // One file after another, so the time limit and the byte budget are checked between files.
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    const path = `${WORKFLOWS_DIR}/${name}`;
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      unread.push({ path, reason: 'was not read: the time limit (timeout-seconds) ran out', refused: false });
      continue;
    }
    if (bytes >= MAX_WORKFLOWS_BYTES) {
      const reason = `was not read: the workflows before it already add up to ${MAX_WORKFLOWS_BYTES / 1024 / 1024} MiB`;
      unread.push({ path, reason, refused: false });
      continue;
    }
    try {
      const text = await readWorkspaceFile(root, path, MAX_WORKFLOW_FILE_BYTES);
      bytes += text.length;
      workflows.push(parseWorkflow(text, path, parseOptions));
    } catch (e) {
      if (!(e instanceof WorkspaceFileError)) throw e;
      unread.push({ path, reason: e.reason, refused: true });
    }
  }
  return { workflows, unread, missing: false };
}

/**
 * Reading a repository's workflow files from disk (the only I/O of the workflow modules), with
 * the files a login decision needs: local composite actions (`uses: ./path`) and the `.tf` files
 * of the directories Terraform steps run in (a provider or backend with `use_oidc = true`).
 * Every file is read through src/action/workspace-file.ts: inside the checkout, size-capped. Directories are
 * listed synchronously, as files are read there: an asynchronous call waits for libuv's thread pool.
 */
import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { localActionDir, type CompositeAction, type RepositoryFacts } from './logins.js';
import type { WorkflowFile } from './parse.js';
import { NeedsYamlLibrary, readCompositeAction, readWorkflowFile, type LibraryReader } from './parse-core.js';
import { MAX_WORKFLOW_FILE_BYTES, readWorkspaceFile, WorkspaceFileError } from '../action/workspace-file.js';

const WORKFLOWS_DIR = '.github/workflows';
/** All workflow files together: a repository has tens; the cap keeps a hostile one bounded in memory and time. */
const MAX_WORKFLOWS_BYTES = 8 * 1024 * 1024;
/** Local actions that use other local actions are followed this deep. */
const MAX_ACTION_DEPTH = 3;
/** Bounds on what is read besides the workflows. */
const MAX_EXTRA_FILES = 200;
const MAX_EXTRA_BYTES = 512 * 1024;

/** A workflow file that was not read, and why (never anything from the file itself). */
interface UnreadWorkflow {
  path: string;
  reason: string;
  /** Refused (a link out, a directory, too large), rather than left for lack of time or room. */
  refused: boolean;
}

interface ReadOptions {
  loginActions?: readonly string[];
  /** `owner/repo`: `uses: owner/repo/...@ref` names this repository's own files. */
  repository?: string;
  /** Epoch ms after which no further file is read (timeout-seconds). */
  deadline?: number;
}

/**
 * Read with the fast reader; a file it cannot read is read again with the yaml library, loaded the first
 * time a file needs it: most repositories never load the library's parser (yaml-library.ts says why).
 */
async function withYamlLibrary<T>(read: (library: LibraryReader | undefined) => T): Promise<T> {
  try {
    return read(undefined);
  } catch (e) {
    if (!(e instanceof NeedsYamlLibrary)) throw e;
    const { libraryDocument } = await import('./yaml-library.js');
    return read(libraryDocument);
  }
}

/** A file a login decision needs, read like the workflows: inside the workspace, size-capped; else nothing. */
async function readSmall(root: string, path: string): Promise<string | undefined> {
  try {
    return await readWorkspaceFile(root, path, MAX_EXTRA_BYTES);
  } catch (e) {
    if (e instanceof WorkspaceFileError) return undefined;
    throw e;
  }
}

/** `uses: ./x` paths in a text (workflow or action), without parsing it again. */
function localUses(text: string): string[] {
  const out: string[] = [];
  const re = /uses:\s*["']?(\.\/[^\s"'#]+)/g;
  for (const m of text.matchAll(re)) {
    const dir = localActionDir(m[1]!);
    if (dir && !dir.startsWith('.github/workflows/') && !dir.includes('..')) out.push(dir);
  }
  return out;
}

async function readActions(
  root: string,
  texts: readonly string[],
  budget: { files: number },
): Promise<Map<string, CompositeAction>> {
  const actions = new Map<string, CompositeAction>();
  let wanted = [...new Set(texts.flatMap(localUses))];
  for (let depth = 0; depth < MAX_ACTION_DEPTH && wanted.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of wanted) {
      if (actions.has(dir) || budget.files-- <= 0) continue;
      for (const name of ['action.yml', 'action.yaml']) {
        const file = posix.join(dir, name);
        const text = await readSmall(root, file);
        if (text === undefined) continue;
        const action = await withYamlLibrary((library) => readCompositeAction(text, file, library));
        if (action) {
          actions.set(dir, action);
          next.push(...localUses(text));
        }
        break;
      }
    }
    wanted = [...new Set(next)].filter((d) => !actions.has(d));
  }
  return actions;
}

/** Directories Terraform may run in: the root and every `working-directory:` written literally. */
function terraformDirs(texts: readonly string[]): string[] {
  const dirs = new Set<string>(['.']);
  for (const text of texts) {
    if (!/terraform|terragrunt|tofu/i.test(text)) continue;
    const re = /working-directory:\s*["']?([^\s"'#$]+)/g;
    for (const m of text.matchAll(re)) {
      const d = m[1]!.replace(/^\.\/+/, '').replace(/\/+$/, '');
      if (!d.includes('..')) dirs.add(d === '' ? '.' : d);
    }
  }
  return [...dirs];
}

async function readTerraform(
  root: string,
  texts: readonly string[],
  budget: { files: number },
): Promise<Map<string, { file: string; line: number }>> {
  const found = new Map<string, { file: string; line: number }>();
  if (!texts.some((t) => /terraform|terragrunt|tofu/i.test(t))) return found;
  for (const dir of terraformDirs(texts)) {
    let names: string[];
    try {
      names = readdirSync(join(root, dir))
        .filter((n) => n.endsWith('.tf'))
        .sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (budget.files-- <= 0) return found;
      const text = await readSmall(root, posix.join(dir, name));
      const m = text ? /^\s*use_oidc\s*=\s*true\b/m.exec(text) : null;
      if (!m || !text) continue;
      found.set(dir, { file: posix.join(dir, name), line: text.slice(0, m.index + m[0].length).split('\n').length });
      break;
    }
  }
  return found;
}

/** Every `.yml`/`.yaml` under `.github/workflows/` of `root`, parsed; paths are repository-relative. */
export async function readWorkflows(
  root: string,
  options: ReadOptions = {},
): Promise<{ workflows: WorkflowFile[]; unread: UnreadWorkflow[]; missing: boolean }> {
  let names: string[];
  try {
    names = readdirSync(join(root, WORKFLOWS_DIR));
  } catch {
    return { workflows: [], unread: [], missing: true };
  }
  const files: Array<{ path: string; text: string }> = [];
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
      files.push({ path, text });
    } catch (e) {
      if (!(e instanceof WorkspaceFileError)) throw e;
      unread.push({ path, reason: e.reason, refused: true });
    }
  }
  const texts = files.map((f) => f.text);
  const budget = { files: MAX_EXTRA_FILES };
  const actions = await readActions(root, texts, budget);
  const terraformOidcDirs = await readTerraform(
    root,
    [...texts, ...[...actions.values()].map((a) => a.steps.map((s) => s.run ?? '').join('\n'))],
    budget,
  );
  const facts: RepositoryFacts = { actions, terraformOidcDirs };
  const parseOptions = {
    ...(options.loginActions ? { loginActions: options.loginActions } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
    facts,
  };
  const workflows: WorkflowFile[] = [];
  for (const f of files)
    workflows.push(
      // Read again with the library only: the fast reader has already said it cannot read this file.
      await withYamlLibrary((library) =>
        readWorkflowFile(f.text, f.path, library ? { ...parseOptions, yamlLibrary: true } : parseOptions, library),
      ),
    );
  return { workflows, unread, missing: false };
}

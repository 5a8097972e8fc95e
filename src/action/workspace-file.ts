/**
 * Reading a file named by an input (`federated-credentials-file`) or by the repository (the
 * workflows the audit and the placement read). The one owner of that rule: a file is read only
 * when, after every link is resolved, it is a regular file inside the workspace and no larger
 * than the cap. A pull request can add a workflow that links to /dev/zero or /etc/passwd, and an
 * input can say `../../secret.json`: such files are refused before a byte is read, and the
 * refusal quotes nothing from them (issue 13, point 7).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError, shown } from './inputs.js';

/** Credentials files: 20 credentials per identity are a few KB; 1 MiB leaves room for comments and many identities. */
const MAX_CREDENTIALS_FILE_BYTES = 1024 * 1024;
/** Workflow files: real workflows are tens of KB (the largest of 165 real ones we surveyed is 57 KB). */
export const MAX_WORKFLOW_FILE_BYTES = 1024 * 1024;

type WorkspaceFileProblem = 'missing' | 'outside' | 'not-a-file' | 'too-large' | 'unreadable';

export class WorkspaceFileError extends Error {
  override readonly name = 'WorkspaceFileError';
  constructor(
    readonly problem: WorkspaceFileProblem,
    /** Why, in words that end a sentence starting "'<path>' ..."; never anything read from the file. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

function errorFor(e: unknown): WorkspaceFileError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new WorkspaceFileError('missing', 'does not exist');
  if (code === 'ELOOP') return new WorkspaceFileError('unreadable', 'is a loop of symbolic links');
  if (code === 'EACCES' || code === 'EPERM')
    return new WorkspaceFileError('unreadable', 'cannot be read (permission denied)');
  return new WorkspaceFileError('unreadable', `cannot be read (${code ?? 'error'})`);
}

/** True when `real` is `root` or below it (both already resolved by realpath). */
function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The text of `path` (relative to `workspace`, or absolute), or a WorkspaceFileError.
 * Reads at most `maxBytes + 1` bytes whatever the file claims, so a file that grows is still bounded.
 * The file system calls are synchronous: each asynchronous one is a round trip through libuv's thread
 * pool, and a file takes seven; for the tens of small files an audit reads, the waiting cost more than
 * the reading (a tenth of the largest real repository's audit). A call blocks for one capped read at most.
 */
export async function readWorkspaceFile(workspace: string, path: string, maxBytes: number): Promise<string> {
  let root: string;
  let real: string;
  try {
    root = realpathSync.native(workspace);
    real = realpathSync.native(resolve(root, path));
  } catch (e) {
    throw errorFor(e);
  }
  if (!isInside(root, real)) {
    const why =
      `is outside the workspace (${workspace}) once links are resolved; ` +
      'only files of the checked-out repository are read';
    throw new WorkspaceFileError('outside', why);
  }
  // stat before open: opening a FIFO or a device could block or never end.
  let info: Stats;
  try {
    info = statSync(real);
  } catch (e) {
    throw errorFor(e);
  }
  if (!info.isFile())
    throw new WorkspaceFileError(
      'not-a-file',
      info.isDirectory() ? 'is a directory, not a file' : 'is not a regular file',
    );
  if (info.size > maxBytes) throw tooLarge(info.size, maxBytes);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw errorFor(e);
  }
  try {
    // The file may have been swapped since stat: check what was opened.
    if (!fstatSync(fd).isFile()) throw new WorkspaceFileError('not-a-file', 'is not a regular file');
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(length, maxBytes);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (e) {
    throw e instanceof WorkspaceFileError ? e : errorFor(e);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, maxBytes: number): WorkspaceFileError {
  const kib = (n: number) => Math.ceil(n / 1024);
  const why = `is ${kib(size)} KiB or more, larger than the ${kib(maxBytes)} KiB this action reads; it is not read`;
  return new WorkspaceFileError('too-large', why);
}

/**
 * The text of the `federated-credentials-file` input's file, or an InputError naming the input.
 * Shared by check and audit mode.
 */
export async function readCredentialsFile(workspace: string, path: string): Promise<string> {
  try {
    return await readWorkspaceFile(workspace, path, MAX_CREDENTIALS_FILE_BYTES);
  } catch (e) {
    if (!(e instanceof WorkspaceFileError)) throw e;
    const hint = e.problem === 'missing' ? ' Is the repository checked out (actions/checkout) before this step?' : '';
    throw new InputError(
      'federated-credentials-file',
      `Input 'federated-credentials-file' names ${shown(path)}, which ${e.reason}.${hint}`,
      'federated-credentials-file: .github/azure-federated-credentials.json',
    );
  }
}

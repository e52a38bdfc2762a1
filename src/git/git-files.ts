import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { WorktreeEntry } from './parse-worktrees.js';

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The `.git` directory of a worktree: `.git` itself, or where a linked worktree's `.git` file points. */
function gitDirOf(worktree: string): string | undefined {
  const dotGit = join(worktree, '.git');
  if (statSync(dotGit).isDirectory()) return dotGit;
  const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
  return pointer === undefined ? undefined : resolve(worktree, pointer.trim());
}

/** The common directory of a `.git` directory: its `commondir` when it is a linked worktree's. */
function commonDirOf(gitDir: string): string {
  const commonFile = join(gitDir, 'commondir');
  return existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
}

/** Variables that move where git looks for a repository: with any of them set, only git can say. */
const DISCOVERY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];

/**
 * Where git would find the repository of `dir` — the nearest `.git`
 * upwards — without starting git: the top of the worktree and the common
 * directory; null outside any repository; undefined when git must be asked
 * (variables that move git's search, a path inside a `.git`, anything odd).
 */
export function repositoryFromFiles(dir: string, env: NodeJS.ProcessEnv = process.env): { worktree: string; commonDir: string } | null | undefined {
  if (DISCOVERY_VARIABLES.some((name) => env[name] !== undefined)) return undefined;
  try {
    const real = realpathSync(dir);
    if (real.split('/').includes('.git')) return undefined;
    for (let at = real; ; at = dirname(at)) {
      if (existsSync(join(at, '.git'))) {
        const gitDir = gitDirOf(at);
        // A `.git` that leads nowhere (a worktree whose record was removed) is git's to explain.
        return gitDir === undefined || !existsSync(join(gitDir, 'HEAD')) ? undefined : { worktree: at, commonDir: commonDirOf(gitDir) };
      }
      if (dirname(at) === at) return null;
    }
  } catch {
    return undefined;
  }
}

/** A ref's commit in the files backend: its loose file, else packed-refs; null when it does not exist. */
function refCommit(ref: string, dirs: { gitDir: string; commonDir: string }): string | null | undefined {
  // Branches and tags are shared by every worktree; a few refs (bisect, worktree) are each worktree's own.
  const own = ref.startsWith('refs/bisect/') || ref.startsWith('refs/worktree/') || ref.startsWith('refs/rewritten/');
  try {
    const loose = readFileSync(join(own ? dirs.gitDir : dirs.commonDir, ref), 'utf8').trim();
    return OID.test(loose) ? loose : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  let packed: string;
  try {
    packed = readFileSync(join(dirs.commonDir, 'packed-refs'), 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  for (const line of packed.split('\n')) {
    const [oid = '', name] = line.split(' ');
    if (name === ref && OID.test(oid)) return oid;
  }
  return null;
}

/**
 * A worktree's HEAD commit read from git's files, without starting git (a
 * process per job is what a run of many short jobs pays for most): the
 * commit, null on an unborn branch, undefined when the files do not say it
 * plainly (a reftable repository, a symbolic ref to a symbolic ref,
 * anything unexpected) and git must be asked.
 */
export function headFromFiles(worktree: string): string | null | undefined {
  try {
    const gitDir = gitDirOf(worktree);
    if (gitDir === undefined) return undefined;
    const commonDir = commonDirOf(gitDir);
    if (existsSync(join(commonDir, 'reftable'))) return undefined;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (OID.test(head)) return head;
    const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1];
    return ref === undefined ? undefined : refCommit(ref, { gitDir, commonDir });
  } catch {
    return undefined;
  }
}

/**
 * The `git worktree list` entry of one worktree (its top directory, a real
 * path) read from git's files: its branch or detached HEAD, its commit and
 * its lock. Undefined when git must be asked: a linked worktree whose record
 * does not lead back to it, a reftable repository, anything unexpected.
 */
export function worktreeEntryFromFiles(worktree: string): WorktreeEntry | undefined {
  try {
    const gitDir = gitDirOf(worktree);
    if (gitDir === undefined) return undefined;
    const commonDir = commonDirOf(gitDir);
    if (existsSync(join(commonDir, 'reftable'))) return undefined;
    if (gitDir !== join(worktree, '.git')) {
      // A linked worktree is git's only while its record names this directory (else git calls it prunable).
      const recorded = readFileSync(join(gitDir, 'gitdir'), 'utf8').trim();
      if (realpathSync(dirname(resolve(gitDir, recorded))) !== worktree) return undefined;
    }
    const lockFile = join(gitDir, 'locked');
    const locked = existsSync(lockFile);
    const lockedReason = locked ? readFileSync(lockFile, 'utf8').trim() || null : null;
    const headText = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const entry = { path: worktree, bare: false, locked, lockedReason, prunable: false, prunableReason: null };
    if (OID.test(headText)) return { ...entry, head: headText, branch: null, detached: true };
    const branch = /^ref: refs\/heads\/(\S+)$/.exec(headText)?.[1];
    if (branch === undefined) return undefined;
    const head = refCommit(`refs/heads/${branch}`, { gitDir, commonDir });
    return head === undefined ? undefined : { ...entry, head, branch, detached: false };
  } catch {
    return undefined;
  }
}

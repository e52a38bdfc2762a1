import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { pathMatcher } from '../core/path-glob.js';
import type { Git } from './git.js';
import { parseWorktreeList, type WorktreeEntry } from './parse-worktrees.js';

/** A worktree found by discovery, with the repository it belongs to. */
export interface DiscoveredWorktree extends WorktreeEntry {
  /** The repository's main worktree path (the bare repository's path when bare). */
  repo: string;
  /** The repository's name: its main worktree's directory name. */
  repoName: string;
  /** The repository's common git directory. */
  commonDir: string;
}

/** Where to look (DESIGN §5.1). */
export interface DiscoveryOptions {
  git: Git;
  /** The user's directory: its repository's worktrees come first. */
  cwd: string;
  searchPaths: readonly string[];
  maxDepth: number;
  excludePatterns: readonly string[];
  /** How many `git worktree list` at once. */
  concurrency?: number;
}

/** What discovery found, and warnings to show (missing roots, corrupt repositories). */
export interface DiscoveryResult {
  worktrees: DiscoveredWorktree[];
  warnings: string[];
  /** The top of the worktree the user is in, or null outside a repository. */
  currentWorktree: string | null;
}

interface Candidate {
  dir: string;
  commonDir: string;
}

async function gitDirOf(dir: string, isDirectory: boolean): Promise<string> {
  if (isDirectory) return join(dir, '.git');
  const text = await readFile(join(dir, '.git'), 'utf8');
  const match = /^gitdir: (.+?)\r?\n?$/m.exec(text);
  if (!match?.[1]) throw new Error('its .git file does not say where its git directory is');
  const gitDir = resolve(dir, match[1]);
  await stat(gitDir).catch(() => {
    throw new Error(`its .git file points to ${gitDir}, which does not exist`);
  });
  return gitDir;
}

async function commonDirOf(gitDir: string): Promise<string> {
  try {
    const common = (await readFile(join(gitDir, 'commondir'), 'utf8')).trim();
    return resolve(gitDir, common);
  } catch {
    return gitDir;
  }
}

/**
 * Walks a root to `maxDepth` (inclusive; the root's children are depth 1),
 * never entering excluded directories, `.git`, or symlinks, and reports
 * each directory holding a `.git` entry.
 */
async function walk(
  root: string,
  options: { maxDepth: number; excluded: (path: string) => boolean; found: (dir: string, gitIsDirectory: boolean) => Promise<void> },
): Promise<void> {
  const visit = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // An unreadable directory inside a root is skipped, like find does.
    }
    const git = entries.find((entry) => entry.name === '.git');
    if (git && (git.isDirectory() || git.isFile())) await options.found(dir, git.isDirectory());
    if (depth >= options.maxDepth) return;
    const children = entries
      .filter((entry) => entry.isDirectory() && entry.name !== '.git')
      .map((entry) => join(dir, entry.name))
      .filter((path) => !options.excluded(path))
      .sort();
    for (const child of children) await visit(child, depth + 1);
  };
  await visit(root, 0);
}

/**
 * Finds the worktrees of the repository around `cwd` and of every
 * repository under the search paths, in discovery order (the current
 * repository first, each repository's main worktree first).
 */
export async function discoverWorktrees(options: DiscoveryOptions): Promise<DiscoveryResult> {
  const warnings: string[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const excluded = pathMatcher(options.excludePatterns);

  const found = async (dir: string, gitIsDirectory: boolean): Promise<void> => {
    try {
      const commonDir = await commonDirOf(await gitDirOf(dir, gitIsDirectory));
      if (seen.has(commonDir)) return;
      seen.add(commonDir);
      candidates.push({ dir, commonDir });
    } catch (error) {
      warnings.push(`skipped ${dir}: ${(error as Error).message}`);
    }
  };

  let currentWorktree: string | null = null;
  try {
    const top = (await options.git.run(options.cwd, ['rev-parse', '--show-toplevel'])).trim();
    if (top !== '') {
      currentWorktree = top;
      const gitEntry = await stat(join(top, '.git'));
      await found(top, gitEntry.isDirectory());
    }
  } catch {
    currentWorktree = null;
  }

  for (const searchPath of options.searchPaths) {
    let root: string;
    try {
      root = await realpath(searchPath);
      const info = await stat(root);
      if (!info.isDirectory()) {
        warnings.push(`search path ${searchPath} is a file, not a directory; it was skipped`);
        continue;
      }
      await readdir(root);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      warnings.push(
        code === 'ENOENT' ? `search path ${searchPath} does not exist; it was skipped` : `search path ${searchPath} cannot be read (${code ?? 'error'}); it was skipped`,
      );
      continue;
    }
    await walk(root, { maxDepth: options.maxDepth, excluded, found });
  }

  const limit = pLimit(options.concurrency ?? 8);
  const lists = await Promise.all(
    candidates.map((candidate) =>
      limit(async () => {
        try {
          const output = await options.git.run(candidate.dir, ['worktree', 'list', '--porcelain', '-z']);
          return parseWorktreeList(output);
        } catch (error) {
          warnings.push(`skipped ${candidate.dir}: git cannot read it (${(error as Error).message})`);
          return [];
        }
      }),
    ),
  );

  const worktrees = lists.flatMap((entries, index) => {
    const candidate = candidates[index] as Candidate;
    const main = entries[0];
    const repo = main?.path ?? candidate.dir;
    const repoName = basename(repo).replace(/\.git$/, '') || basename(dirname(candidate.commonDir));
    return entries.map((entry) => ({
      ...entry,
      path: isAbsolute(entry.path) ? entry.path : resolve(candidate.dir, entry.path),
      repo,
      repoName,
      commonDir: candidate.commonDir,
    }));
  });
  return { worktrees, warnings, currentWorktree };
}

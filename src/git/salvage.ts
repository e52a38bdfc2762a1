import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Git } from './git.js';
import type { WorktreeRecord } from './worktree-registry.js';

/** What a worktree holds that removing it would lose. */
export interface WorktreeRisks {
  /** Uncommitted changes and untracked files, in words; null when none. */
  changes: string | null;
  /** Nested repositories, relative to the worktree. */
  nested: string[];
  /** A detached HEAD's commits that no branch or tag has. */
  stranded: { head: string; count: number } | null;
}

/** Pathspecs that leave nested repositories out of `git add`: they are saved whole, on their own. */
function outside(nested: readonly string[]): string[] {
  return nested.length === 0 ? [] : ['--', '.', ...nested.map((path) => `:(top,exclude,literal)${path}`)];
}

/**
 * A repository's uncommitted and untracked work as a binary patch against
 * its HEAD (or against nothing, before its first commit). Staging in its
 * own index harms nothing: the worktree is about to go.
 */
async function uncommittedPatch(git: Git, dir: string, nested: readonly string[]): Promise<string> {
  await git.run(dir, ['add', '-A', ...outside(nested)]);
  const born = (await git.run(dir, ['rev-parse', '--verify', 'HEAD']).catch(() => '')).trim() !== '';
  return git.run(dir, ['diff', '--cached', '--binary', ...(born ? ['HEAD'] : [])]);
}

/** Saves one nested repository: every ref of it as a bundle, its uncommitted work as a patch. */
async function salvageNested(git: Git, worktree: string, path: string, into: string, inner: readonly string[]): Promise<string[]> {
  const dir = join(worktree, path);
  const target = join(into, 'nested', path);
  await mkdir(target, { recursive: true });
  const saved: string[] = [];
  const refs = (await git.run(dir, ['for-each-ref', '--format=%(refname)']).catch(() => '')).trim();
  if (refs !== '') {
    const bundle = join(target, 'repository.bundle');
    await git.run(dir, ['bundle', 'create', bundle, '--all']);
    saved.push(bundle);
  }
  const patch = await uncommittedPatch(git, dir, inner);
  if (patch.trim() !== '') {
    const file = join(target, 'changes.patch');
    await writeFile(file, patch);
    saved.push(file);
  }
  return saved;
}

/** The nested repositories directly inside `path` (not inside another nested one), relative to it. */
function innerOf(path: string, nested: readonly string[]): string[] {
  return nested.filter((other) => other.startsWith(`${path}/`)).map((other) => other.slice(path.length + 1));
}

/**
 * Saves everything a worktree holds before `par clean --discard` removes
 * it (DESIGN §5.4): the branch's unmerged commits and a detached HEAD's
 * commits as bundles, uncommitted and untracked work as a patch, and each
 * nested repository whole (a bundle of all its refs and a patch of its own
 * uncommitted work), with RESTORE.txt saying how to get it all back.
 */
export async function salvage(git: Git, record: WorktreeRecord, dir: string, risks: WorktreeRisks): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const saved: string[] = [];
  const restore = [
    `Saved by par clean --discard from ${record.path} (run ${record.run}, job ${record.job}).`,
    `Branch ${record.branch}, started from ${record.base} at ${record.base_commit}.`,
    '',
    'To restore, in the repository:',
    `  git worktree add -b ${record.branch} <dir> ${record.base_commit}`,
  ];
  const unmerged = Number((await git.run(record.repo, ['rev-list', '--count', `${record.base_commit}..refs/heads/${record.branch}`])).trim());
  if (unmerged > 0) {
    const bundle = join(dir, 'branch.bundle');
    await git.run(record.repo, ['bundle', 'create', bundle, `refs/heads/${record.branch}`, `^${record.base_commit}`]);
    saved.push(bundle);
    restore.push(`  git -C <dir> pull --ff-only ${bundle} refs/heads/${record.branch}`);
  }
  if (risks.stranded) {
    const bundle = join(dir, 'head.bundle');
    await git.run(record.path, ['bundle', 'create', bundle, 'HEAD', '--not', '--branches', '--tags']);
    saved.push(bundle);
    restore.push(`  git -C <dir> fetch ${bundle} HEAD && git -C <dir> checkout --detach FETCH_HEAD   # the detached HEAD ${risks.stranded.head}, whose commits were on no branch`);
  }
  const nested = risks.nested;
  const patch = await uncommittedPatch(git, record.path, nested);
  if (patch.trim() !== '') {
    const file = join(dir, 'changes.patch');
    await writeFile(file, patch);
    saved.push(file);
    restore.push(`  git -C <dir> apply --index ${file}`);
  }
  for (const path of nested) {
    // Each nested repository is saved once, by itself; one inside it is left out of its patch.
    const files = await salvageNested(git, record.path, path, dir, innerOf(path, nested));
    saved.push(...files);
    const bundle = files.find((file) => file.endsWith('.bundle'));
    const changes = files.find((file) => file.endsWith('.patch'));
    restore.push(bundle ? `  git clone -q ${bundle} <dir>/${path}` : `  git init -q <dir>/${path}`);
    if (changes) restore.push(`  git -C <dir>/${path} apply --index ${changes}`);
  }
  await writeFile(join(dir, 'RESTORE.txt'), `${restore.join('\n')}\n`);
  await writeFile(join(dir, 'worktree.json'), `${JSON.stringify(record, null, 2)}\n`);
  return saved;
}

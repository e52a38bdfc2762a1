/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeEntry {
  path: string;
  /** The commit checked out; null for a bare repository or an unborn branch. */
  head: string | null;
  /** The short branch name (`main`, `par/run/job`); null when detached or bare. */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  lockedReason: string | null;
  prunable: boolean;
  prunableReason: string | null;
}

const ZERO_SHA = /^0+$/;

/**
 * Parses `git worktree list --porcelain -z`: attributes end in NUL and each
 * worktree's block ends with an empty attribute. Paths may hold spaces,
 * newlines and any unicode; unknown attributes are ignored.
 */
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const field of output.split('\0')) {
    if (field === '') {
      if (current) entries.push(current);
      current = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space === -1 ? field : field.slice(0, space);
    const value = space === -1 ? null : field.slice(space + 1);
    if (key === 'worktree') {
      if (current) entries.push(current);
      current = {
        path: value ?? '',
        head: null,
        branch: null,
        bare: false,
        detached: false,
        locked: false,
        lockedReason: null,
        prunable: false,
        prunableReason: null,
      };
      continue;
    }
    if (!current) continue;
    switch (key) {
      case 'HEAD':
        current.head = value && !ZERO_SHA.test(value) ? value : null;
        break;
      case 'branch':
        current.branch = value?.replace(/^refs\/heads\//, '') ?? null;
        break;
      case 'bare':
        current.bare = true;
        break;
      case 'detached':
        current.detached = true;
        break;
      case 'locked':
        current.locked = true;
        current.lockedReason = value && value !== '' ? value : null;
        break;
      case 'prunable':
        current.prunable = true;
        current.prunableReason = value && value !== '' ? value : null;
        break;
      default:
        break;
    }
  }
  if (current) entries.push(current);
  return entries;
}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { UserError } from '../core/errors.js';
import { formatTable, tilde } from '../core/table.js';
import { discoverWorktrees, type DiscoveredWorktree } from '../git/discover.js';
import type { Git } from '../git/git.js';
import { worktreeStatus, worktreeValidity } from '../git/worktree-status.js';
import { terminalWidth, type CommandContext } from './context.js';
import type { WorktreeItem } from '../core/ui-state.js';

/** A line of `par list worktrees --json` (DESIGN §5.2). */
export interface WorktreeListing {
  path: string;
  repo: string;
  branch: string | null;
  head: string | null;
  dirty: boolean | null;
  ahead: number | null;
  behind: number | null;
  locked: boolean;
  prunable: boolean;
  valid: boolean;
  reason: string | null;
}

/** Discovers worktrees and checks each: validity, and for valid ones dirty and ahead/behind. */
export async function listWorktrees(ctx: CommandContext, git: Git): Promise<{ listings: WorktreeListing[]; warnings: string[] }> {
  const { config } = await ctx.config();
  const result = await discoverWorktrees({
    git,
    cwd: ctx.cwd,
    searchPaths: config.worktrees.search_paths,
    maxDepth: config.worktrees.max_depth,
    excludePatterns: config.worktrees.exclude_patterns,
  });
  if (result.currentWorktree === null && config.worktrees.search_paths.length === 0) {
    throw new UserError(
      `${ctx.cwd} is not inside a git repository and worktrees.search_paths is empty; cd into a repository, or add places to look: par config set worktrees.search_paths '["~/code"]'.`,
    );
  }
  // git status costs tens of milliseconds on a large repository; a few at once, bounded by the cores.
  const limit = pLimit(Math.max(2, availableParallelism() * 2));
  const listings = await Promise.all(
    result.worktrees.map((worktree) => limit(() => describe(git, worktree, result.warnings))),
  );
  return { listings, warnings: result.warnings };
}

async function describe(git: Git, worktree: DiscoveredWorktree, warnings: string[]): Promise<WorktreeListing> {
  const { valid, reason } = worktreeValidity(worktree);
  let status = { dirty: null as boolean | null, ahead: null as number | null, behind: null as number | null };
  // Status is worth knowing for a locked worktree too; only a missing or bare one has none.
  if (valid || (worktree.locked && !worktree.bare && !worktree.prunable && existsSync(worktree.path))) {
    try {
      status = await worktreeStatus(git, worktree.path);
    } catch (error) {
      warnings.push(`git status failed in ${worktree.path}: ${(error as Error).message}`);
    }
  }
  return {
    path: worktree.path,
    repo: worktree.repo,
    branch: worktree.branch,
    head: worktree.head,
    ...status,
    locked: worktree.locked,
    prunable: worktree.prunable,
    valid,
    reason,
  };
}

/** The worktrees a picker lists (the TUI's, the web page's). */
export async function pickerItems(ctx: CommandContext, git: Git): Promise<{ items: WorktreeItem[]; warnings: string[] }> {
  const { listings, warnings } = await listWorktrees(ctx, git);
  const items = listings.map((listing) => ({
    path: listing.path,
    repo: listing.repo,
    branch: listing.branch,
    main: listing.path === listing.repo,
    valid: listing.valid,
    reason: listing.reason,
    dirty: listing.dirty,
  }));
  return { items, warnings };
}

function aheadBehind(listing: WorktreeListing): string {
  if (listing.ahead === null || listing.behind === null) return '';
  return [listing.ahead ? `↑${listing.ahead}` : '', listing.behind ? `↓${listing.behind}` : ''].filter(Boolean).join(' ') || '=';
}

/** The worktree table of `par list worktrees` and `par list`. */
export function formatWorktreeTable(listings: readonly WorktreeListing[], home: string, width?: number): string {
  return formatTable(
    listings,
    [
      { header: 'PATH', value: (row) => tilde(row.path, home), flexible: true },
      { header: 'REPO', value: (row) => tilde(row.repo, home).split('/').pop() ?? row.repo },
      { header: 'BRANCH', value: (row) => row.branch ?? (row.head ? '(detached)' : '—'), flexible: true },
      { header: 'HEAD', value: (row) => row.head?.slice(0, 8) ?? '—' },
      { header: 'DIRTY', value: (row) => (row.dirty === null ? '' : row.dirty ? 'dirty' : '') },
      { header: '±', value: aheadBehind },
      { header: 'STATUS', value: (row) => (row.valid ? 'ok' : `✗ ${row.reason ?? ''}`), flexible: true },
    ],
    width,
  );
}

/** `par list worktrees [--json]`. */
export async function runListWorktrees(ctx: CommandContext, git: Git, options: { json?: boolean }): Promise<number> {
  const { listings, warnings } = await listWorktrees(ctx, git);
  for (const warning of warnings) ctx.stderr.write(`par: warning: ${warning}\n`);
  if (options.json) ctx.stdout.write(`${JSON.stringify(listings, null, 2)}\n`);
  else if (listings.length === 0) ctx.stdout.write('No worktrees found.\n');
  else ctx.stdout.write(formatWorktreeTable(listings, ctx.paths.home, terminalWidth(ctx.stdout)));
  return 0;
}

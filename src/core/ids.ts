/** Run ids: UTC time, sortable, plus 4 random base-36 characters: `20261122-140512-k3f9`. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  let suffix = '';
  for (let index = 0; index < 4; index++) suffix += Math.floor(random() * 36).toString(36);
  return `${stamp}-${suffix}`;
}

/**
 * A job id from a worktree directory name or task id (DESIGN §4): lowercased,
 * anything outside `[a-z0-9._-]` becomes `-`, no leading dots or dashes, no
 * `..`, and never empty — safe as a path and a branch component.
 */
export function sanitizeJobId(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '')
    .replace(/\.lock$/, '-lock')
    .slice(0, 64)
    .replace(/[.-]+$/, '');
  return cleaned === '' ? 'job' : cleaned;
}

/** Sanitized ids for `names`, made unique in order with `-2`, `-3`, … */
export function uniqueJobIds(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = sanitizeJobId(name);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

/** Why `name` is not a valid git branch name (git check-ref-format --branch), or undefined. */
export function branchNameProblem(name: string): string | undefined {
  if (name === '' || name === '@') return 'it is empty or "@"';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'it has an empty path component';
  if (name.endsWith('.')) return 'it ends with "."';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `its component "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `its component "${component}" ends with ".lock"`;
  }
  return undefined;
}

/** Fills `{run}`, `{job}` (and `{repo}`) into a branch pattern such as `par/{run}/{job}`. */
export function branchFor(pattern: string, values: { run: string; job: string; repo?: string }): string {
  return pattern.replaceAll('{run}', values.run).replaceAll('{job}', values.job).replaceAll('{repo}', values.repo ?? '');
}

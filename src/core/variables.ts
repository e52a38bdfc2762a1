/** The variables a job's template sees, by source (DESIGN §4 step 1). */
export interface VariableSources {
  /** Defaults declared in the prompt's front matter. */
  frontMatterDefaults?: Readonly<Record<string, string>>;
  /** ProjectName, TaskName, Description, BranchName, WorktreePath, … */
  builtIns?: Readonly<Record<string, string | undefined>>;
  /** A task's own fields. */
  task?: Readonly<Record<string, string | undefined>>;
  /** `--var k=v`, highest precedence. */
  cli?: Readonly<Record<string, string>>;
}

/** Merges variables with precedence `--var` > task fields > built-ins > front-matter defaults. */
export function resolveVariables(sources: VariableSources): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of [sources.frontMatterDefaults, sources.builtIns, sources.task, sources.cli]) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) merged[name] = value;
    }
  }
  return merged;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `--var` values (`k=v`, repeatable) into a map; returns the bad one on failure. */
export function parseVarAssignments(assignments: readonly string[]): { vars: Record<string, string> } | { bad: string } {
  const vars: Record<string, string> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const name = equals === -1 ? '' : assignment.slice(0, equals);
    if (!VAR_NAME.test(name)) return { bad: assignment };
    vars[name] = assignment.slice(equals + 1);
  }
  return { vars };
}

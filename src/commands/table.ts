// The command table: every command of par, declared once — a table, so it is long.
// The CLI (cli.ts builds commander from it), each command's help, the README's
// command reference and shell completion all read it. A new command goes here.
import { arg, command, flag, list, negated, value, type AnyCommand } from './spec.js';

const RUN_ID = 'a run id or a unique prefix of one';
const json = flag('--json', 'print JSON');

const add = command({
  name: 'add',
  description: 'add a prompt to the library (no --file: $EDITOR on a terminal, else stdin)',
  args: {},
  options: {
    name: value('--name <name>', 'the prompt name (default: the front matter name or the file name)'),
    file: value('--file <file>', 'read the prompt from FILE (- for stdin)'),
    template: flag('--template', 'the prompt is a template ({{.Var}}, see par show --help)'),
    description: value('--description <text>', 'a one-line description'),
    force: flag('--force', 'replace a prompt of the same name'),
  },
  run: async (ctx, _args, options) => (await import('./add.js')).runAdd(ctx, options),
});

const listCommand = command({
  name: 'list',
  description: 'list prompts and worktrees (no argument: both)',
  args: { what: arg('[what]', 'what to list', { choices: ['prompts', 'worktrees', 'runs'] }) },
  options: { json },
  run: async (ctx, { what }, options) => (await import('./list.js')).runList(ctx, what, options),
});

const show = command({
  name: 'show',
  description: 'print a prompt, or with --render its text with variables filled in',
  args: { prompt: arg('<prompt>', 'the prompt name', { completes: 'prompt' }) },
  options: { render: flag('--render', 'render the template'), var: list('--var <name=value>', 'a template variable (repeatable)') },
  help: `Templates: {{.Var}}, {{upper .Var}}, {{lower …}}, {{title …}}, {{default "fallback" .Var}},
string literals, pipes {{.Var | upper}}, comments {{/* … */}} and trim markers {{- -}}.
Built-in variables: ProjectName, TaskName, Description, BranchName, WorktreePath,
Instructions, ExpectedOutcome; --var NAME=VALUE sets or overrides any.`,
  run: async (ctx, { prompt }, options) => (await import('./prompts.js')).runShow(ctx, prompt, options),
});

const remove = command({
  name: 'remove',
  description: 'delete a prompt from the library',
  args: { prompt: arg('<prompt>', 'the prompt name', { completes: 'prompt' }) },
  options: {},
  run: async (ctx, { prompt }) => (await import('./prompts.js')).runRemove(ctx, prompt),
});

/** Options `par run` and `par resume` share: how the run is followed. */
const following = {
  detach: flag('--detach', 'print the run id and return; the run goes on'),
  json: flag('--json', 'newline-delimited JSON events, the last one the run summary'),
} as const;

const run = command({
  name: 'run',
  description: 'run a prompt across worktrees',
  args: {
    prompt: arg('[prompt]', 'a prompt from the library (not with -m or --prompt-file)', { completes: 'prompt' }),
    worktrees: arg('[worktree...]', 'worktree paths'),
  },
  options: {
    jobs: value('-j, --jobs <n>', 'jobs at once (default: defaults.jobs)'),
    message: value('-m, --message <text>', 'an ad-hoc prompt instead of a library name'),
    promptFile: value('--prompt-file <file>', 'an ad-hoc prompt from a file'),
    all: flag('--all', 'every valid linked worktree of the current repository'),
    timeout: value('-t, --timeout <duration>', 'per-job limit: 90s, 30m, 2h, 1h30m (default: defaults.timeout)'),
    idleTimeout: value('--idle-timeout <duration>', 'stop a job silent this long (default: defaults.idle_timeout)'),
    branch: value('-b, --branch <name>', 'base of new worktrees (default: the repository default branch)'),
    new: value('--new <n>', 'create n fresh worktrees from the base, the prompt in each'),
    tasks: value('--tasks <file>', 'many tasks, each in its own fresh worktree: {"prompts": [...]} or one per line; - is stdin'),
    variants: value('--variants <n>', 'best-of-N: N independent jobs per target (<target>.v1…), each in a fresh worktree'),
    var: list('--var <name=value>', 'a template variable (repeatable)'),
    agent: value('--agent <name>', 'claude or a configured agent; several (claude,codex) give each target one attempt per agent'),
    on: value('--on <executors>', 'where jobs run: local and executors from the config, in turn (local,box1 or all); -j caps the total'),
    permissionMode: value('--permission-mode <mode>', 'passed to claude (default: claude.permission_mode)'),
    model: value('--model <name>', 'passed to the agent (default: claude.model)'),
    retries: value('--retries <n>', 'retries of a job that failed for a retryable cause, each a fresh session (default: defaults.retries)'),
    failFast: flag('--fail-fast', 'the first failed job cancels the rest'),
    budget: value('--budget <usd>', 'approximate: no job starts once finished jobs have spent this; claude jobs get --max-budget-usd'),
    dryRun: flag('--dry-run', 'print jobs, worktrees, prompts and exact command lines; start nothing'),
    detach: following.detach,
    term: flag('--term', 'open a terminal window per job, following its transcript (default: terminal.new_window_per_job)'),
    plan: flag('--plan', 'each job plans first, read-only; approved plans execute (par approve, or the TUI)'),
    yes: flag('--yes', 'with --plan, approve every plan as it comes'),
    onAsk: value('--on-ask <what>', 'what permission requests no rule decides get: wait (for a person) or deny (unattended)', ['wait', 'deny']),
    onLimit: value('--on-limit <what>', 'what a usage limit does to a job: wait (paused until the reset) or stop (fails it)', ['wait', 'stop']),
    json: following.json,
    terminalOutput: flag('--terminal-output', "stream every job's readable output here, each line prefixed by its job (default: terminal.show_real_time_output)"),
    tui: negated('--no-tui', 'plain progress lines even on a terminal'),
  },
  help: `Each job runs in its worktree in its own process group; Ctrl+C cancels the run
(exit 130), a closed terminal leaves it running. Follow it with 'par status'.`,
  run: async (ctx, { prompt, worktrees }, options) => (await import('./run.js')).runRun(ctx, [...(prompt === undefined ? [] : [prompt]), ...worktrees], options),
});

const status = command({
  name: 'status',
  description: 'a run and its jobs (the latest run if none is named; ids match by prefix)',
  args: { run: arg('[run]', RUN_ID, { completes: 'run' }) },
  options: { json },
  run: async (ctx, { run: id }, options) => (await import('./status.js')).runStatus(ctx, id, options),
});

const results = command({
  name: 'results',
  description: "each job's final result, or one job's readable transcript",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('[job]', 'a job of the run') },
  options: { raw: flag('--raw', "the job's output byte for byte"), follow: flag('--follow', 'follow a running job until it ends') },
  run: async (ctx, { run: id, job }, options) => (await import('./runs.js')).runResults(ctx, id, job, options),
});

const report = command({
  name: 'report',
  description: "render a run's report",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }) },
  options: {
    format: value('--format <format>', 'html, md or json (default: from -o, else md)'),
    output: value('-o, --output <file>', 'write to FILE instead of stdout (- is stdout)'),
  },
  run: async (ctx, { run: id }, options) => (await import('./report.js')).runReport(ctx, id, options),
});

const merge = command({
  name: 'merge',
  description: "bring a job's branch into the current branch (a conflict changes nothing)",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'a job of the run') },
  options: { squash: flag('--squash', 'as one commit') },
  run: async (ctx, { run: id, job }, options) => (await import('./merge.js')).runMerge(ctx, id, job, options),
});

const cancel = command({
  name: 'cancel',
  description: 'cancel a run, or one of its jobs',
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('[job]', 'a job of the run') },
  options: {},
  run: async (ctx, { run: id, job }) => (await import('./runs.js')).runCancel(ctx, id, job),
});

const completion = command({
  name: 'completion',
  description: 'print shell completion: commands, options and prompt names',
  args: { shell: arg('<shell>', 'the shell', { choices: ['bash', 'zsh', 'fish'] }) },
  options: {},
  help: `bash: eval "$(par completion bash)" in ~/.bashrc; zsh: the same with zsh in ~/.zshrc;
fish: par completion fish > ~/.config/fish/completions/par.fish`,
  run: async (ctx, { shell }) => (await import('./completion.js')).runCompletion(ctx, COMMANDS, shell),
});

const complete = command({
  name: '__complete',
  description: 'names for shell completion',
  hidden: true,
  args: { what: arg('<what>', 'prompts or runs') },
  options: {},
  run: async (ctx, { what }) => (await import('./completion.js')).runCompleteNames(ctx, what),
});

const doctor = command({
  name: 'doctor',
  description: 'check git, the agents, their credentials, the terminal, the config and the data dirs',
  args: {},
  options: { json },
  help: '✓ fine, ⚠ an optional part is missing, ✗ par cannot work without it (exit 1).',
  run: async (ctx, _args, options) => {
    const [{ runDoctor }, { createCommandRunner }] = await Promise.all([import('./doctor.js'), import('../os/command-runner.js')]);
    return runDoctor(ctx, createCommandRunner(), options);
  },
});

const demo = command({
  name: 'demo',
  description: 'the whole experience on a throwaway repository, with a simulated agent (no account needed)',
  args: {},
  options: { tui: negated('--no-tui', 'run it headless, printing progress lines'), keep: flag('--keep', 'keep the throwaway repository and its par home, and say where') },
  run: async (ctx, _args, options) => (await import('./demo.js')).runDemo(ctx, options),
});

const open = command({
  name: 'open',
  description: 'open a job in a terminal window: its live transcript while it runs, its claude session when done',
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'a job of the run') },
  options: {},
  help: `The window: terminal.command when set, else Ghostty (terminal.use_ghostty), else
a new tmux window when par runs inside tmux.`,
  run: async (ctx, { run: id, job }) => (await import('./open.js')).runOpen(ctx, id, job),
});

const approve = command({
  name: 'approve',
  description: "allow a job's pending permission request, or let plans waiting for review go ahead",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('[job]', 'the job whose request or plan to approve') },
  options: {
    all: flag('--all', 'every plan waiting (never permission requests)'),
    always: flag('--always', 'allow this kind of call for the rest of the run'),
    save: flag('--save', 'with --always: also add the rule to permissions.allow in the config'),
  },
  help: `A job waiting on a permission request (par inbox lists them) is allowed to go on;
--always adds the request's rule (such as Bash(npm test:*)) for the rest of the run.
Otherwise the job's plan (--plan) is approved.`,
  run: async (ctx, { run: id, job }, options) => (await import('./approve.js')).runApprove(ctx, id, job, options),
});

const send = command({
  name: 'send',
  description: 'a message to running jobs, or continue a finished job’s session with it',
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), jobs: arg('[job...]', 'the jobs to send to') },
  options: {
    all: flag('--all', 'every running or waiting job of the run'),
    message: value('-m, --message <text>', 'the message'),
    file: value('--file <file>', 'the message from a file (- for stdin)'),
  },
  help: `A running job gets it at the end of its current turn (at once when it waits for
instructions); a finished job of claude, codex or gemini continues its session
with it as a new attempt in the same worktree, its result committed as usual.`,
  run: async (ctx, { run: id, jobs }, options) => (await import('./talk.js')).runSend(ctx, id, jobs, options),
});

const interrupt = command({
  name: 'interrupt',
  description: "stop a job's current turn; the session waits for instructions",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'a job of the run') },
  options: {},
  run: async (ctx, { run: id, job }) => (await import('./talk.js')).runInterrupt(ctx, id, job),
});

const deny = command({
  name: 'deny',
  description: "refuse a job's pending permission request (or decline its question)",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'a job of the run') },
  options: { message: value('-m, --message <reason>', 'why, told to the agent') },
  run: async (ctx, { run: id, job }, options) => (await import('./talk.js')).runDeny(ctx, id, job, options),
});

const answer = command({
  name: 'answer',
  description: "answer a job's pending question with an option (its label or number)",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'a job of the run'), options: arg('[option...]', 'the chosen option(s): a label or a number') },
  options: {},
  run: async (ctx, { run: id, job, options: chosen }) => (await import('./talk.js')).runAnswer(ctx, id, job, chosen),
});

const inbox = command({
  name: 'inbox',
  description: 'every pending request and question across all runs, oldest first',
  args: {},
  options: { json },
  run: async (ctx, _args, options) => (await import('./inbox.js')).runInbox(ctx, options),
});

const permissions = command({
  name: 'permissions',
  description: 'the permission policy',
  args: {},
  options: {},
  subcommands: [
    command({
      name: 'check',
      description: 'what the policy decides for a call, and why',
      args: { call: arg('<call>', "a call written like a rule: 'Bash(npm test && rm -rf ~)', 'Read(./.env)'") },
      options: { json },
      run: async (ctx, { call }, options) => (await import('./permissions.js')).runPermissionsCheck(ctx, call, options),
    }),
  ],
});

const resume = command({
  name: 'resume',
  description: 'run the jobs of a run that did not succeed again, continuing their sessions',
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }) },
  options: {
    ...following,
    terminalOutput: flag('--terminal-output', "stream every job's readable output here"),
    tui: negated('--no-tui', 'plain progress lines even on a terminal'),
  },
  help: `Interrupted, failed, timed-out and cancelled jobs run again in their worktrees
as new attempts of the same run; a claude job continues its session
(--resume <session id>) where it had one. Exit codes as for par run.`,
  run: async (ctx, { run: id }, options) => (await import('./resume.js')).runResume(ctx, id, options),
});

const attach = command({
  name: 'attach',
  description: 'the live grid of a running or finished run (on a terminal)',
  args: { run: arg('[run]', 'a run id or a unique prefix of one (default: the latest)', { completes: 'run' }) },
  options: {},
  run: async (ctx, { run: id }) => (await import('./attach.js')).runAttach(ctx, id),
});

const land = command({
  name: 'land',
  description: "land a run's succeeded jobs on a branch one at a time, each merged and checked before the branch moves",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), jobs: arg('[job...]', 'the jobs to land, in this order (default: all succeeded, disjoint ones first)') },
  options: {
    onto: value('--onto <branch>', 'the branch to land on (default: the branch of the worktree you are in)'),
    check: value('--check <command>', 'a command each landing must pass before the branch moves, such as "npm test" (default: land.check)'),
    squash: flag('--squash', 'one squashed commit per job instead of a merge'),
    rebase: flag('--rebase', "the job's commits rebased on the branch instead of a merge"),
    resolve: flag('--resolve', "on a conflict, the job's agent merges the branch and resolves it in its worktree; then one more try"),
    dryRun: flag('--dry-run', 'print the order and the conflict forecast; change nothing'),
  },
  help: `Each job is merged in a scratch worktree on the branch's tip and checked there;
only then is the branch fast-forwarded to it (its worktree too, which must be
clean). A conflict or a failing check leaves the branch as it was and the queue
goes on. Killing par land leaves the branch at its last good landing; running it
again lands the rest and nothing twice. Exit 1 when any job did not land.
The check is split into words without a shell: put pipes in a script.`,
  run: async (ctx, { run: id, jobs }, options) => (await import('./land.js')).runLand(ctx, id, jobs, options),
});

const compare = command({
  name: 'compare',
  description: "a best-of-N run's attempts side by side: state, changes, files in common, cost, turns, the check",
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), target: arg('[target]', 'one target (default: every one)') },
  options: { check: value('--check <command>', "run this in each attempt's worktree and show whether it passed, such as \"npm test\""), json },
  run: async (ctx, { run: id, target }, options) => (await import('./variants.js')).runCompare(ctx, id, target, options),
});

const keep = command({
  name: 'keep',
  description: 'land one attempt of a best-of-N target; the others are salvaged and their worktrees removed',
  args: { run: arg('<run>', RUN_ID, { completes: 'run' }), job: arg('<job>', 'the attempt to keep, such as t1.v2') },
  options: {
    onto: value('--onto <branch>', 'the branch to land on (default: the branch of the worktree you are in)'),
    check: value('--check <command>', 'a command the landing must pass before the branch moves (default: land.check)'),
    squash: flag('--squash', 'one squashed commit instead of a merge'),
    rebase: flag('--rebase', "the attempt's commits rebased on the branch"),
  },
  help: `The kept attempt lands through par land's queue. Only once it has landed are the other
attempts' worktrees removed, each after its work is saved under <data>/salvage (RESTORE.txt
says how to get it back); when it does not land, nothing is removed (exit 1).`,
  run: async (ctx, { run: id, job }, options) => (await import('./variants.js')).runKeep(ctx, id, job, options),
});

const web = command({
  name: 'web',
  description: 'the runs in a browser, live: grid, logs, diffs, answers, messages (until Ctrl+C)',
  args: {},
  options: {
    port: value('--port <n>', 'the port to listen on (default 7420; 0: any free one)'),
    host: value('--host <address>', 'the address to listen on (default 127.0.0.1; others are warned about)'),
    open: flag('--open', 'open the page in the default browser'),
  },
  help: `Prints the page's address with its token (par web: http://127.0.0.1:7420/#token=…)
first on stdout; only someone with it can see or act on your runs. Ctrl+C stops
the server, never the runs. From a phone: ssh -L 7420:127.0.0.1:7420 this machine.`,
  run: async (ctx, _args, options) => (await import('./web.js')).runWeb(ctx, options),
});

const mcp = command({
  name: 'mcp',
  description: 'par as MCP tools on stdio, for an agent to start, follow, answer and cancel runs',
  args: {},
  options: {},
  help: `Add it to Claude Code with: claude mcp add par -- par mcp
Tools: list_prompts, list_worktrees, start_run, run_status, wait_run, job_result,
job_log, send_message, interrupt, approve, deny, answer, cancel, land, compare, keep,
inbox. approve, deny and answer work only with mcp.allow_answers set (never
"always"). Only the protocol goes to stdout; it ends when its client closes stdin,
leaving runs going.`,
  run: async (ctx) => (await import('./mcp.js')).runMcp(ctx),
});

const clean = command({
  name: 'clean',
  description: 'remove old runs and the worktrees par made for them, never losing work',
  args: {},
  options: {
    all: flag('--all', 'every finished run, whatever its age'),
    failed: flag('--failed', 'only runs that did not succeed'),
    force: flag('-f, --force', 'do not ask'),
    dryRun: flag('--dry-run', 'only list what would be done'),
    discard: flag('--discard', 'also remove worktrees with uncommitted or unmerged work, saving it under <data>/salvage first'),
  },
  help: `Kept: worktrees with uncommitted changes or untracked files, nested
repositories, or commits on a detached HEAD (unless --discard, which saves them
first); locked worktrees (always); branches with commits their base lacks;
worktrees par did not create; runs still going, or going again after a resume
or a rerun. Runs older than defaults.keep_days are cleaned; --all any age.`,
  run: async (ctx, _args, options) => (await import('./clean.js')).runClean(ctx, options),
});

const key = arg('<key>', 'a dotted key such as defaults.jobs');
const config = command({
  name: 'config',
  description: 'read and change the configuration',
  args: {},
  options: {},
  help: 'Keys and defaults: par config list. Values are checked before anything is written.',
  subcommands: [
    command({
      name: 'list',
      description: 'every key, its value and where it comes from',
      args: {},
      options: { json: flag('--json', 'print the whole configuration as JSON') },
      run: async (ctx, _args, options) => (await import('./config.js')).runConfigList(ctx, options),
    }),
    command({
      name: 'get',
      description: "a key's value (or a whole section)",
      args: { key },
      options: { json },
      run: async (ctx, args, options) => (await import('./config.js')).runConfigGet(ctx, args.key, options),
    }),
    command({
      name: 'set',
      description: 'set a key, keeping the comments in the file',
      args: { key, value: arg('<value>', 'the value; lists as ["a", "b"]') },
      options: {},
      run: async (ctx, args) => (await import('./config.js')).runConfigSet(ctx, args.key, args.value),
    }),
    command({
      name: 'path',
      description: 'where the configuration file is',
      args: {},
      options: {},
      run: async (ctx) => (await import('./config.js')).runConfigPath(ctx),
    }),
  ],
});

/** Every command, in the order `par --help` lists them. */
export const COMMANDS: readonly AnyCommand[] = [add, listCommand, show, remove, run, status, results, report, merge, cancel, completion, complete, doctor, demo, open, approve, send, interrupt, deny, answer, inbox, permissions, resume, attach, land, compare, keep, web, mcp, clean, config];

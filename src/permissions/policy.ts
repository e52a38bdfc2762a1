// The permission policy (DESIGN §14): the user's rules (deny beats ask beats
// allow), then the preset, then the default. A Bash command line is judged
// part by part: it is allowed only when every part is, denied when any part
// is. Pure and table-tested.
import { parseRule, bashPatternMatches, ruleMatchesCall, type PolicyPlace, type Rule, type ToolCall } from './rules.js';
import { presetForCall, presetForCommand, type PresetVerdict } from './preset.js';
import { parseCommand, type SimpleCommand } from './shell.js';

export type Verdict = 'allow' | 'deny' | 'ask';

/** The policy as configured (`permissions.*`). */
export interface PermissionSettings {
  preset: 'safe' | 'none';
  allow: readonly string[];
  ask: readonly string[];
  deny: readonly string[];
  default: Verdict;
}

/** The policy with its rules parsed. */
export interface Policy {
  preset: 'safe' | 'none';
  allow: Rule[];
  ask: Rule[];
  deny: Rule[];
  default: Verdict;
}

/** What decided: a rule of the user's (or the default), or the preset. */
export type DecidedBy = 'rule' | 'preset';

/** The policy's answer for a call, with its reasons. */
export interface PolicyDecision {
  verdict: Verdict;
  by: DecidedBy;
  /** The rule or the preset's reason that decided. */
  rule: string;
  /** For a Bash command line: each part and what decided it. */
  parts: { command: string; verdict: Verdict; by: DecidedBy; rule: string }[];
}

/** The policy's rules parsed; the first malformed rule is reported as `{key, rule, problem}`. */
export function compilePolicy(settings: PermissionSettings): Policy | { key: string; rule: string; problem: string } {
  const lists = { allow: [] as Rule[], ask: [] as Rule[], deny: [] as Rule[] };
  for (const key of ['allow', 'ask', 'deny'] as const) {
    for (const text of settings[key]) {
      const rule = parseRule(text);
      if (typeof rule === 'string') return { key: `permissions.${key}`, rule: text, problem: rule };
      lists[key].push(rule);
    }
  }
  return { preset: settings.preset, ...lists, default: settings.default };
}

/** Adds a rule the user allowed for the rest of a run (`approve --always`). */
export function withAllowed(policy: Policy, rule: Rule): Policy {
  return { ...policy, allow: [...policy.allow, rule] };
}

type Judged = { verdict: Verdict; by: DecidedBy; rule: string };

function fromPreset(verdict: PresetVerdict, policy: Policy, plan: boolean): Judged {
  if (verdict) return { verdict: verdict.verdict, by: 'preset', rule: verdict.why };
  // Planning changes nothing: what is not known to be read-only is refused.
  if (plan) return { verdict: 'deny', by: 'preset', rule: 'planning is read-only' };
  return { verdict: policy.default, by: 'rule', rule: `permissions.default (${policy.default})` };
}

/** One part of a Bash line: deny rules (with or without its sudo), ask rules, allow rules (sudo only when the rule says it), the preset, the default. */
function judgeCommand(command: SimpleCommand, policy: Policy, place: PolicyPlace, plan: boolean): Judged {
  const bash = (rules: Rule[], withSudo: boolean): Rule | undefined => rules.find((rule) => rule.tool === 'Bash' && (rule.spec === null || bashPatternMatches(rule.spec, command, withSudo)));
  const denied = bash(policy.deny, false) ?? bash(policy.deny, true);
  if (denied) return { verdict: 'deny', by: 'rule', rule: denied.text };
  const asked = bash(policy.ask, false) ?? bash(policy.ask, true);
  if (asked) return { verdict: 'ask', by: 'rule', rule: asked.text };
  const allowed = bash(policy.allow, true);
  if (allowed && !plan) return { verdict: 'allow', by: 'rule', rule: allowed.text };
  return fromPreset(policy.preset === 'safe' || plan ? presetForCommand(command, place, plan) : null, policy, plan);
}

/** Folds the parts of a line: any deny denies, any ask asks, all allowed allows. */
function combine(parts: (Judged & { command: string })[], opaque: string | null): PolicyDecision {
  const first = (verdict: Verdict) => parts.find((part) => part.verdict === verdict);
  const decisive = first('deny') ?? (opaque ? undefined : first('ask'));
  if (decisive) return { verdict: decisive.verdict, by: decisive.by, rule: decisive.rule, parts };
  if (opaque) return { verdict: 'ask', by: 'rule', rule: `a command the policy cannot read (${opaque})`, parts };
  const byRule = parts.find((part) => part.by === 'rule');
  const shown = byRule ?? parts[0];
  if (!shown) return { verdict: 'ask', by: 'rule', rule: 'an empty command', parts };
  return { verdict: 'allow', by: byRule ? 'rule' : 'preset', rule: [...new Set(parts.map((part) => part.rule))].join('; '), parts };
}

/**
 * What the policy decides for a tool call in a job's worktree. `plan`:
 * the job is planning, and only what reads is allowed.
 */
export function decide(call: ToolCall, policy: Policy, place: PolicyPlace, plan = false): PolicyDecision {
  if (call.tool === 'Bash') {
    const command = typeof call.input.command === 'string' ? call.input.command : '';
    const parsed = parseCommand(command);
    const parts = parsed.parts.map((part) => ({ command: part.sudo ? `sudo ${part.text}` : part.text, ...judgeCommand(part, policy, place, plan) }));
    return combine(parts, parsed.opaque);
  }
  const match = (rules: Rule[]): Rule | undefined => rules.find((rule) => ruleMatchesCall(rule, call, place));
  const denied = match(policy.deny);
  const judged: Judged = denied
    ? { verdict: 'deny', by: 'rule', rule: denied.text }
    : (() => {
        const asked = match(policy.ask);
        if (asked) return { verdict: 'ask' as const, by: 'rule' as const, rule: asked.text };
        const allowed = match(policy.allow);
        if (allowed && !plan) return { verdict: 'allow' as const, by: 'rule' as const, rule: allowed.text };
        return fromPreset(policy.preset === 'safe' || plan ? presetForCall(call, place, plan) : null, policy, plan);
      })();
  return { ...judged, parts: [] };
}

/** `Bash(npm test && rm -rf ~)` or `Read(./.env)`: a call written as a rule, for `par permissions check`. */
export function callFromText(text: string): ToolCall | string {
  const match = /^([A-Za-z][A-Za-z0-9_-]*)(?:\((.*)\))?$/s.exec(text.trim());
  if (!match) return `"${text}" is not a call: write it as a rule is written, such as 'Bash(npm test && rm -rf ~)' or 'Read(./.env)'`;
  const tool = match[1] as string;
  const arg = match[2] ?? '';
  if (tool === 'Bash') return { tool, input: { command: arg } };
  if (tool === 'WebFetch') return { tool, input: { url: arg.startsWith('domain:') ? `https://${arg.slice(7)}/` : arg } };
  if (tool === 'WebSearch') return { tool, input: { query: arg } };
  if (tool === 'Glob' || tool === 'Grep') return { tool, input: { pattern: '*', path: arg || '.' } };
  return { tool, input: arg === '' ? {} : { file_path: arg } };
}

/** The rule that `approve --always` adds for a call: the command's first two words as a prefix, the file's directory, the tool. */
export function ruleForCall(call: ToolCall): string {
  if (call.tool === 'Bash' && typeof call.input.command === 'string') {
    const first = parseCommand(call.input.command).parts[0];
    if (first && first.words.length > 0) return `Bash(${first.words.slice(0, Math.min(2, first.words.length)).join(' ')}:*)`;
  }
  if (call.tool === 'WebFetch' && typeof call.input.url === 'string') {
    try {
      return `WebFetch(domain:${new URL(call.input.url).hostname})`;
    } catch {
      return 'WebFetch';
    }
  }
  return call.tool;
}

import type { TalkOptions } from '../core/run-plan.js';
import type { CommandRunner } from '../os/command-runner.js';
import { claudeClassifier } from './classifier.js';
import { compilePolicy, decide, withAllowed } from '../permissions/policy.js';
import { SAFE_CLI_DENY } from '../permissions/preset.js';
import { parseRule } from '../permissions/rules.js';
import type { AttemptTalk } from './attempt.js';
import type { Judgement } from './conversation.js';

/**
 * A run's side of its conversations (DESIGN §14): the permission policy as
 * configured when the run started, plus what a person allowed "always"
 * since; `--on-ask`; the input timeout; the deny rules handed to the agent.
 */
export function runTalk(talk: TalkOptions, deps: { runner: CommandRunner; env: NodeJS.ProcessEnv }): AttemptTalk {
  const compiled = compilePolicy(talk.permissions);
  // The rules were checked when the run was asked for; a run.json edited since is refused here.
  if ('problem' in compiled) throw new Error(`${compiled.key} holds a malformed rule: ${compiled.problem}`);
  let policy = compiled;
  const env = { ...deps.env };
  delete env.CLAUDECODE;
  const classifier = talk.classifier ? claudeClassifier({ binary: talk.classifier.binary, model: talk.classifier.model, runner: deps.runner, env }) : null;
  return {
    judge: async (call, plan, worktree): Promise<Judgement> => {
      const decision = decide(call, policy, { worktree, home: talk.home }, plan);
      if (decision.verdict !== 'ask') return { verdict: decision.verdict, by: decision.by, rule: decision.rule };
      // Only what no rule decided goes to the classifier; what it cannot say, a person decides.
      const verdict = classifier ? await classifier.classify(call, worktree) : null;
      return verdict ? { verdict, by: 'classifier', rule: classifier?.model ?? null } : { verdict: 'ask' };
    },
    allowAlways: (text) => {
      const rule = parseRule(text);
      if (typeof rule !== 'string') policy = withAllowed(policy, rule);
    },
    onAsk: talk.on_ask,
    inputTimeoutMs: talk.input_timeout_ms,
    denyRules: [...talk.permissions.deny, ...(talk.permissions.preset === 'safe' ? SAFE_CLI_DENY : [])],
  };
}

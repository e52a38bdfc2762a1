import { UserError } from '../core/errors.js';
import { callFromText, compilePolicy, decide } from '../permissions/policy.js';
import type { CommandContext } from './context.js';

/** `par permissions check <call>`: what the configured policy decides for a call in the current directory, and why. */
export async function runPermissionsCheck(ctx: CommandContext, text: string, options: { json?: boolean }): Promise<number> {
  const call = callFromText(text);
  if (typeof call === 'string') throw new UserError(`${call}.`);
  const { config } = await ctx.config();
  const { permissions } = config;
  const policy = compilePolicy({ preset: permissions.preset as 'safe' | 'none', allow: permissions.allow, ask: permissions.ask, deny: permissions.deny, default: permissions.default as 'ask' | 'allow' | 'deny' });
  if ('problem' in policy) throw new UserError(`${policy.key} holds a malformed rule: ${policy.problem}`);
  const decision = decide(call, policy, { worktree: ctx.cwd, home: ctx.env.HOME ?? '/' });
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ call: text, ...decision }, null, 2)}\n`);
    return 0;
  }
  const verdict = { allow: 'allowed', deny: 'denied', ask: 'asked (a person decides)' }[decision.verdict];
  ctx.stdout.write(`${verdict}, by ${decision.by}: ${decision.rule}\n`);
  for (const part of decision.parts.length > 1 ? decision.parts : []) ctx.stdout.write(`  ${part.verdict.padEnd(5)}  ${part.command}  — ${part.by}: ${part.rule}\n`);
  return 0;
}

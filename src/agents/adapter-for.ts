import type { AgentChoice } from '../core/run-plan.js';
import type { AgentAdapter } from './agent.js';
import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { configuredAdapter } from './configured.js';
import { geminiAdapter } from './gemini.js';

/** Builds the adapter a run asked for. */
export function adapterFor(choice: AgentChoice, env: NodeJS.ProcessEnv): AgentAdapter {
  if (choice.kind === 'claude') {
    return claudeAdapter({
      binary: choice.binary,
      defaultArgs: choice.default_args,
      allowedTools: choice.allowed_tools,
      disallowedTools: choice.disallowed_tools,
      env,
      channel: choice.channel === true,
    });
  }
  if (choice.kind === 'codex') return codexAdapter(choice);
  if (choice.kind === 'gemini') return geminiAdapter(choice);
  return configuredAdapter(choice.name, choice.config);
}

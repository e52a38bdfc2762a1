import { resolve } from 'node:path';
import { createMcpServer } from '../mcp/tools.js';
import type { CommandContext } from './context.js';
import { createOperations } from './operations.js';

declare const __PAR_VERSION__: string;

/** The library's prompts with their template variables, as list_prompts gives them. */
async function describePrompts(ctx: CommandContext): Promise<{ name: string; description: string; variables: string[] }[]> {
  const [{ promptsDir }, { PromptLibrary }, { parseTemplate, templateVariables }] = await Promise.all([ctx.config(), import('../prompts/library.js'), import('../core/template.js')]);
  const library = new PromptLibrary(promptsDir);
  return library.list().prompts.map(({ name, description, template }) => {
    let variables: string[] = [];
    if (template) {
      try {
        variables = templateVariables(parseTemplate(library.get(name).body));
      } catch {
        // A template that does not parse has no variables to offer; par show NAME says what is wrong.
      }
    }
    return { name, description, variables };
  });
}

/**
 * `par mcp`: the MCP server on stdio until its client closes stdin. Only
 * the protocol goes to stdout: what par itself says goes to stderr and the log.
 */
export async function runMcp(ctx: CommandContext): Promise<number> {
  const [{ config }, { StdioServerTransport }] = await Promise.all([ctx.config(), import('@modelcontextprotocol/sdk/server/stdio.js')]);
  const quiet: CommandContext = { ...ctx, stdout: ctx.stderr };
  const server = createMcpServer({
    ops: createOperations(quiet, 'mcp'),
    dataDir: ctx.paths.dataDir,
    allowAnswers: config.mcp.allow_answers,
    prompts: () => describePrompts(quiet),
    async worktrees(repo) {
      const [git, { listWorktrees }] = await Promise.all([ctx.git(), import('./worktrees.js')]);
      return (await listWorktrees(repo === undefined ? quiet : { ...quiet, cwd: resolve(ctx.cwd, repo) }, git)).listings;
    },
    version: typeof __PAR_VERSION__ === 'string' ? __PAR_VERSION__ : '0.0.0-dev',
    log: (message, fields) => ctx.log.error(message, fields),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => {
    transport.onclose = done;
    // The client closing stdin ends the server; runs it started go on.
    process.stdin.once('end', done);
    process.stdin.once('close', done);
  });
  await server.connect(transport);
  ctx.log.info('mcp started', { allow_answers: config.mcp.allow_answers });
  await closed;
  await server.close().catch(() => undefined);
  ctx.log.info('mcp stopped');
  return 0;
}

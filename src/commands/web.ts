import type { Server } from 'node:http';
import { UserError } from '../core/errors.js';
import { openUrl } from '../os/open-url.js';
import { createApi } from '../web/api.js';
import { RunHub } from '../web/hub.js';
import { pageAssets } from '../web/page-assets.js';
import { isLoopback, newSecret } from '../web/security.js';
import { createWebServer } from '../web/server.js';
import type { CommandContext } from './context.js';
import { createOperations } from './operations.js';

function portOf(text: string | undefined, configured: number): number {
  if (text === undefined) return configured;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UserError(`--port takes a port number from 0 to 65535 (0: any free one), not '${text}'.`);
  return Number(text);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UserError(`Port ${port} on ${host} is taken (another par web?); pass --port 0 for any free port, or another --port.`));
      else if (error.code === 'EACCES') reject(new UserError(`Port ${port} needs privileges par does not have; pass a port above 1023, or --port 0.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') reject(new UserError(`--host ${host} is not an address of this machine; pass 127.0.0.1 (the default) or one of its addresses.`));
      else reject(error);
    });
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

/** The address to print: a wildcard address is reached through loopback from here. */
function origin(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** `par web [--port N] [--host ADDR] [--open]`: serves the dashboard until Ctrl+C; the runs go on. */
export async function runWeb(ctx: CommandContext, options: { port?: string; host?: string; open?: boolean }): Promise<number> {
  const port = portOf(options.port, (await ctx.config()).config.web.port);
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UserError('--host takes an address to listen on, such as 127.0.0.1; it was empty.');
  const assets = pageAssets();
  const token = newSecret();
  const hub = new RunHub(ctx.paths.dataDir);
  hub.start();
  const web = createWebServer({ token, hub, api: createApi(createOperations(ctx, 'web'), hub, ctx.log), assets, log: ctx.log });
  let bound: number;
  try {
    bound = await listen(web.server, port, host);
  } catch (error) {
    hub.stop();
    throw error;
  }
  const url = `${origin(host, bound)}/#token=${token}`;
  ctx.stdout.write(`par web: ${url}\n`);
  if (!isLoopback(host)) ctx.stderr.write(`par web: warning: listening on ${host}, beyond this machine, over plain HTTP; anyone who sees the address and token can act on your runs. For a phone, prefer ssh -L ${bound}:127.0.0.1:${bound} or a private network.\n`);
  ctx.log.info('web started', { host, port: bound });
  if (options.open) {
    const why = await openUrl(url, ctx.env, ctx.cwd);
    if (why) ctx.stderr.write(`par web: ${why}; open the address above yourself.\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, stop);
      resolve();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
  hub.stop();
  await web.close();
  ctx.stderr.write('par web: stopped; the runs go on.\n');
  ctx.log.info('web stopped');
  return 0;
}

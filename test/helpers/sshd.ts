// A private OpenSSH server on 127.0.0.1 for tests: its own host key, one
// authorized user key, a free port, and a known_hosts file for the client,
// so host key checking stays on. Needs Debian's openssh-server (sshd).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((path) => existsSync(path)) ?? null;

/** Why a test with sshd cannot run here, or null when it can. */
export function sshdMissing(): string | null {
  if (!SSHD) return 'sshd is not installed (apt-get install openssh-server)';
  if (spawnSync('ssh', ['-V']).error) return 'the ssh client is not installed (apt-get install openssh-client)';
  return null;
}

export interface TestSshd {
  port: number;
  /** `user@127.0.0.1` */
  host: string;
  identity: string;
  /** ssh options that trust this server's key alone. */
  sshOptions: string[];
  /** The server's pid (the listener; each connection has a child). */
  pid: number;
  /** The pids of the processes serving connections now (children of the listener). */
  connectionPids(): number[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function children(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((line) => Number(line.trim())).filter((value) => value > 0);
}

/** Starts sshd in `dir` for the current user; resolves once it accepts connections. */
export async function startSshd(dir: string): Promise<TestSshd> {
  if (!SSHD) throw new Error('sshd is not installed');
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  for (const key of [hostKey, userKey]) {
    if (!existsSync(key)) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`));
  // sshd insists on its privilege separation directory, even when it runs as a plain user.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'MaxSessions 100',
      // This machine's user may have a slow ~/.bashrc, which bash reads for ssh commands unless it is nested: the test host logs in quickly.
      'SetEnv SHLVL=1',
      'MaxStartups 100',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const server: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let complaint = '';
  server.stderr?.on('data', (chunk: Buffer) => (complaint += chunk.toString()));
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub}\n`);
  const user = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  const sshOptions = ['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'GlobalKnownHostsFile=/dev/null'];
  const host = `${user}@127.0.0.1`;
  // Bounded: sshd listens within a second or says why not.
  for (let tries = 0; ; tries++) {
    const probe = spawnSync('ssh', [...sshOptions, '-o', 'BatchMode=yes', '-i', userKey, '-p', String(port), host, 'true'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.status === 0) break;
    if (tries >= 50 || server.exitCode !== null) throw new Error(`sshd did not start: ${complaint || probe.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    host,
    identity: userKey,
    sshOptions,
    pid: server.pid as number,
    connectionPids: () => children(server.pid as number),
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}

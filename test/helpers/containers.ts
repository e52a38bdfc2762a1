// A container engine for tests: podman, configured for this machine (its
// own config file: no default ulimits, and runc when crun is refused), and a
// small image made from this machine's own sh, git and node — nothing is
// downloaded. Tests that cannot run a container here say why and skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The image the tests' jobs run in. */
export const TEST_IMAGE = 'localhost/par-test-agent:1';

/** The programs the image has, with the libraries they load. */
const PROGRAMS = ['/usr/bin/dash', '/usr/bin/env', '/usr/bin/node', '/usr/bin/git', '/usr/bin/sleep', '/usr/bin/cat', '/usr/bin/rm', '/usr/bin/mkdir', '/usr/bin/id', '/usr/bin/ls'];

/** The environment podman runs with in tests: its config file. */
export function podmanEnv(dir: string): Record<string, string> {
  const file = join(dir, 'containers.conf');
  const runtime = existsSync('/usr/sbin/runc') || existsSync('/usr/bin/runc') ? '\n[engine]\nruntime = "runc"\n' : '';
  writeFileSync(file, `[containers]\ndefault_ulimits = []\n${runtime}`);
  return { CONTAINERS_CONF: file };
}

/** Why containers cannot run here (in one sentence), or null when they can. */
export function containersMissing(env: Record<string, string>): string | null {
  if (spawnSync('podman', ['--version']).error) return 'podman is not installed (apt-get install podman runc)';
  try {
    ensureImage(env);
  } catch (error) {
    return `podman cannot make the test image here: ${(error as Error).message.split('\n')[0]}`;
  }
  const probe = spawnSync('podman', ['run', '--rm', TEST_IMAGE, '/bin/sh', '-c', 'exit 0'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) return `podman cannot run a container here: ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1) ?? ''}`;
  return null;
}

/** Imports the test image once (kept in podman's store for later runs). */
function ensureImage(env: Record<string, string>): void {
  const options = { env: { ...process.env, ...env } };
  if (spawnSync('podman', ['image', 'exists', TEST_IMAGE], options).status === 0) return;
  const root = mkdtempSync(join(tmpdir(), 'par-image-'));
  try {
    const files = new Set<string>(PROGRAMS);
    for (const program of PROGRAMS) {
      const ldd = spawnSync('ldd', [program], { encoding: 'utf8' }).stdout ?? '';
      for (const match of ldd.matchAll(/(\/\S+)/g)) files.add(match[1] as string);
    }
    for (const file of files) {
      const target = join(root, file.replace(/^\/lib(64)?\//, '/usr/lib$1/'));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target, { dereference: true });
    }
    cpSync('/usr/lib/git-core', join(root, 'usr/lib/git-core'), { recursive: true, dereference: true });
    for (const [link, to] of [['bin', 'usr/bin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64'], ['usr/bin/sh', 'dash']]) symlinkSync(to as string, join(root, link as string));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
    mkdirSync(join(root, 'root'));
    execFileSync('sh', ['-c', `tar -C "$1" -cf - . | podman import - "$2" >/dev/null`, 'sh', root, TEST_IMAGE], options);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

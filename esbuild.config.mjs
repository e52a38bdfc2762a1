// Bundles the CLI into dist/: cli.js (the bin) plus lazily loaded chunks, so
// `par --version` parses only what it needs. Bundled, a minimal Ink screen
// draws its first frame in about half the time it takes unbundled.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

// The web page (par web), built first: its script and styles go into par's own
// chunk of the web server as two strings, so nothing is fetched or built at run time.
const page = await build({
  entryPoints: { app: 'src/web/page/main.tsx' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'safari16', 'firefox115'],
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'page',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const pageFile = (ext) => page.outputFiles.find((file) => file.path.endsWith(ext))?.text ?? '';
const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // Ink loads react-devtools-core only when DEV=true; it is not shipped.
  external: ['react-devtools-core'],
  define: {
    __PAR_VERSION__: JSON.stringify(version),
    __PAR_WEB_JS__: JSON.stringify(pageFile('.js')),
    __PAR_WEB_CSS__: JSON.stringify(pageFile('.css')),
    'process.env.NODE_ENV': '"production"',
  },
  banner: {
    // Bundled CommonJS dependencies call require() for Node built-ins.
    js: "#!/usr/bin/env node\nimport { createRequire as __parCreateRequire } from 'node:module';\nconst require = __parCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};
await build({
  ...common,
  // The spawn thread is a worker of its own: the supervisor starts it from dist/spawn-thread.js.
  entryPoints: [{ in: 'src/bin.ts', out: 'cli' }, { in: 'src/spawn/spawn-thread.ts', out: 'spawn-thread' }],
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
// A run's supervisor (the bin loads it for `par __supervise`): what it needs
// before a run's first job in one file, instead of a dozen chunks shared
// with the commands; what it needs only sometimes (git, setup commands, the
// configuration) in chunks of its own.
await build({ ...common, entryPoints: { supervise: 'src/supervise-main.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/supervise-[name]-[hash]' });

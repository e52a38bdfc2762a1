// `npm run screenshot`: the README's picture of the TUI, taken from the real
// app — `par demo` in a tmux window, captured with its colours and drawn as
// an SVG into assets/screenshot.svg. Run it again when the UI changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COLUMNS = 110;
const ROWS = 13;
const root = process.cwd();
const socket = `par-screenshot-${process.pid}`;
const tmux = (args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The 16 ANSI colours, as a dark terminal theme draws them. */
const PALETTE = ['#1d1f21', '#cc6666', '#b5bd68', '#f0c674', '#81a2be', '#b294bb', '#8abeb7', '#c5c8c6', '#666666', '#d54e53', '#b9ca4a', '#e7c547', '#7aa6da', '#c397d8', '#70c0b1', '#eaeaea'];
const FOREGROUND = '#c5c8c6';
const BACKGROUND = '#1d1f21';

function xterm256(n: number): string {
  if (n < 16) return PALETTE[n] as string;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `rgb(${level},${level},${level})`;
  }
  const index = n - 16;
  const level = (value: number): number => (value === 0 ? 0 : 55 + value * 40);
  return `rgb(${level(Math.floor(index / 36))},${level(Math.floor(index / 6) % 6)},${level(index % 6)})`;
}

interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

function applySgr(style: Style, codes: number[]): Style {
  const next = { ...style };
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] ?? 0;
    if (code === 0) Object.assign(next, { fg: null, bg: null, bold: false, dim: false, inverse: false });
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 7) next.inverse = true;
    else if (code === 22) Object.assign(next, { bold: false, dim: false });
    else if (code === 27) next.inverse = false;
    else if (code >= 30 && code <= 37) next.fg = PALETTE[code - 30] ?? null;
    else if (code >= 90 && code <= 97) next.fg = PALETTE[code - 90 + 8] ?? null;
    else if (code >= 40 && code <= 47) next.bg = PALETTE[code - 40] ?? null;
    else if (code === 39) next.fg = null;
    else if (code === 49) next.bg = null;
    else if ((code === 38 || code === 48) && codes[index + 1] === 5) {
      next[code === 38 ? 'fg' : 'bg'] = xterm256(codes[index + 2] ?? 0);
      index += 2;
    } else if ((code === 38 || code === 48) && codes[index + 1] === 2) {
      next[code === 38 ? 'fg' : 'bg'] = `rgb(${codes[index + 2]},${codes[index + 3]},${codes[index + 4]})`;
      index += 4;
    }
  }
  return next;
}

// Spaces become no-break spaces: SVG renderers collapse runs of ordinary ones.
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/ /g, '\u00a0');

/** Draws captured lines (with SGR escapes) as an SVG terminal window. */
function toSvg(lines: string[]): string {
  const cell = { width: 8.4, height: 18 };
  const pad = 16;
  const width = Math.ceil(COLUMNS * cell.width + pad * 2);
  const height = Math.ceil(lines.length * cell.height + pad * 2);
  const body: string[] = [];
  lines.forEach((line, row) => {
    let style: Style = { fg: null, bg: null, bold: false, dim: false, inverse: false };
    let column = 0;
    const y = pad + row * cell.height;
    // eslint-disable-next-line no-control-regex -- splitting on escape sequences is the point
    for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
      // eslint-disable-next-line no-control-regex -- as above
      const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
      if (sgr) {
        style = applySgr(style, (sgr[1] || '0').split(';').map(Number));
        continue;
      }
      if (part === '') continue;
      const chars = Array.from(part);
      const fg = style.inverse ? (style.bg ?? BACKGROUND) : (style.fg ?? FOREGROUND);
      const bg = style.inverse ? (style.fg ?? FOREGROUND) : style.bg;
      const x = pad + column * cell.width;
      if (bg) body.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${(chars.length * cell.width).toFixed(1)}" height="${cell.height}" fill="${bg}"/>`);
      if (part.trim() !== '') {
        body.push(`<text x="${x.toFixed(1)}" y="${y + 13}" fill="${fg}"${style.bold ? ' font-weight="bold"' : ''}${style.dim ? ' opacity="0.6"' : ''} textLength="${(chars.length * cell.width).toFixed(1)}">${escape(part)}</text>`);
      }
      column += chars.length;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace" font-size="14" xml:space="preserve" style="white-space: pre">
<rect width="100%" height="100%" rx="8" fill="${BACKGROUND}"/>
${body.join('\n')}
</svg>
`;
}

const sleep = (ms: number): void => void spawnSync('sleep', [String(ms / 1000)]);

try {
  tmux(['new-session', '-d', '-s', 'shot', '-x', String(COLUMNS), '-y', String(ROWS), '-e', 'TERM=xterm-256color', `${process.execPath} ${join(root, 'dist', 'cli.js')} demo`]);
  // Wait until the demo shows every state: a failure, a success, and a job that needs you.
  for (let tries = 0; tries < 200; tries++) {
    const screen = tmux(['capture-pane', '-p', '-t', 'shot']);
    if (screen.includes('need you') && screen.includes('failed') && screen.includes('succeeded')) break;
    sleep(100);
  }
  const captured = tmux(['capture-pane', '-p', '-e', '-t', 'shot']).replace(/\n+$/, '').split('\n');
  writeFileSync(join(root, 'assets', 'screenshot.svg'), toSvg(captured));
  console.log(`assets/screenshot.svg: ${captured.length} lines of ${COLUMNS} columns`);
} finally {
  try {
    tmux(['send-keys', '-t', 'shot', 'q']);
    sleep(300);
    tmux(['send-keys', '-t', 'shot', 'c']);
    // The demo cleans up after itself: wait for it to end rather than cut it short.
    for (let tries = 0; tries < 150 && spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'shot']).status === 0; tries++) sleep(100);
    tmux(['kill-server']);
  } catch {
    // The demo already ended with its window.
  }
}

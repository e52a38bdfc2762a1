/**
 * Compiles a `find -path` style pattern: `*` matches any characters
 * including `/`, `?` any one character, `[…]` a class (`[!…]` negated);
 * the whole path must match.
 */
export function compilePathPattern(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] ?? '';
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(index + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      index = close;
    } else if (char === '\\' && index + 1 < pattern.length) {
      index++;
      source += escape(pattern[index] ?? '');
    } else source += escape(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A test of absolute paths against several patterns. */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const compiled = patterns.map(compilePathPattern);
  return (path) => compiled.some((regex) => regex.test(path));
}

import { describe, expect, it } from 'vitest';
import { joinFrontMatter, splitFrontMatter } from '../../src/prompts/front-matter.js';
import { readMeta } from '../../src/prompts/prompt.js';

describe('front matter', () => {
  it.each([
    ['no front matter', 'just a prompt\n', {}, 'just a prompt\n', 1],
    ['front matter', '---\ndescription: hi\n---\nbody\n', { description: 'hi' }, 'body\n', 4],
    ['CRLF', '---\r\ndescription: hi\r\n---\r\nbody\r\n', { description: 'hi' }, 'body\r\n', 4],
    ['a BOM', '\uFEFF---\ntemplate: true\n---\nx', { template: true }, 'x', 4],
    ['empty front matter', '---\n---\nbody', {}, 'body', 3],
    ['--- later in the body stays body', 'text\n---\nmore\n', {}, 'text\n---\nmore\n', 1],
    ['a body that ends at the closing line', '---\nname: a\n---', { name: 'a' }, '', 3],
  ])('%s', (_name, text, data, body, bodyLine) => {
    expect(splitFrontMatter(text)).toEqual({ data, body, bodyLine });
  });

  it.each([
    ['never closed', '---\ndescription: x\nbody\n', 'never closed'],
    ['not YAML', '---\ndescription: [x\n---\nbody\n', 'not valid YAML'],
    ['not a mapping', '---\n- a\n- b\n---\nbody\n', 'must be a YAML mapping'],
  ])('refuses front matter %s', (_name, text, message) => {
    expect(() => splitFrontMatter(text)).toThrow(message);
  });

  it('round-trips through join and split', () => {
    const text = joinFrontMatter({ name: 'x', description: 'a: b', template: true }, 'Body {{.X}}\n');
    expect(splitFrontMatter(text)).toEqual({
      data: { name: 'x', description: 'a: b', template: true },
      body: 'Body {{.X}}\n',
      bodyLine: 6,
    });
  });

  it('reads declared variables in both forms and keeps other keys', () => {
    const meta = readMeta(
      { description: 'd', variables: { A: 'the a', B: { description: 'the b', default: 3 } }, model: 'opus' },
      'fallback',
    );
    expect(meta).toEqual({
      name: 'fallback',
      description: 'd',
      template: false,
      variables: { A: { description: 'the a' }, B: { description: 'the b', default: '3' } },
      extra: { model: 'opus' },
    });
  });
});

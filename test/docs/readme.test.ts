import { describe, expect, it } from 'vitest';
import { commandReference, readmeReference } from '../helpers/command-reference.js';

describe('the README', () => {
  it('holds the command reference exactly as the CLI prints its help (npm run docs regenerates it)', () => {
    expect(readmeReference()).toBe(commandReference());
  });
});

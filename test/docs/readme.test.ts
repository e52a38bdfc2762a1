import { describe, expect, it } from 'vitest';
import { commandReference, readmeReference, readmeSettings, settingsSection } from '../helpers/command-reference.js';

describe('the README', () => {
  it('holds the command reference exactly as the CLI prints its help (npm run docs regenerates it)', () => {
    expect(readmeReference()).toBe(commandReference());
  });

  it('holds the configuration table exactly as the settings table declares it (npm run docs regenerates it)', () => {
    expect(readmeSettings()).toBe(settingsSection());
  });
});

// `npm run docs`: regenerates the README's command reference from the built CLI's help, and its configuration table from the settings.
import { writeReadmeReference, writeReadmeSettings } from '../helpers/command-reference.js';

writeReadmeReference(process.cwd());
writeReadmeSettings(process.cwd());
console.log('README.md: command reference and configuration table regenerated');

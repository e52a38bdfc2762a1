// `npm run docs`: regenerates the README's command reference from the built CLI's help.
import { writeReadmeReference } from '../helpers/command-reference.js';

writeReadmeReference(process.cwd());
console.log('README.md: command reference regenerated');

// Preloaded with `node --import`: appends the URL of every module par loads
// to the file named by PAR_TEST_LOADS, so tests can see what a command loaded.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function load(url, context, next) {
      if (process.env.PAR_TEST_LOADS) appendFileSync(process.env.PAR_TEST_LOADS, url + '\\n');
      return next(url, context);
    }
  `)}`,
);

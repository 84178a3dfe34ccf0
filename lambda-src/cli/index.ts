/**
 * Entry of the `cdk-cognito-edge-auth` command of the npm package (bundled to
 * assets/cli/index.js with its SDK clients, so `npx cdk-cognito-edge-auth cleanup` needs nothing
 * else). See ./cleanup.ts.
 */
import { main } from './cleanup';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`cdk-cognito-edge-auth: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);

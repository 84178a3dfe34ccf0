/**
 * One cold-start sample, run in a fresh node process: time from just before `require()` of the
 * deployable's index.js to the first (valid-cookie) response, and RSS right after.
 * Usage (after esbuild): node cold.js <deployable-dir> <spec.json>  → one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realNetworkAttempts } from '../../test/support/no-network';
import { CfEvent, classify, handlerOf, LAMBDA_CONTEXT } from '../lib/events';

interface ColdSpec { event: CfEvent; clientId: string }

async function main(): Promise<void> {
  const [dir, specPath] = process.argv.slice(2);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as ColdSpec;
  const entry = join(dir, 'index.js');
  const event = spec.event;
  // Node's own record of the internal modules it has loaded (for the report: which built-ins the handler pulls in).
  const moduleLoadList = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
  const loadedBefore = moduleLoadList.length;

  const t0 = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = handlerOf(require(entry));
  const result = await handler(event, LAMBDA_CONTEXT);
  const t1 = process.hrtime.bigint();

  const rss = process.memoryUsage.rss();
  const heapUsed = process.memoryUsage().heapUsed;
  const kind = classify(result, { clientId: spec.clientId });
  const builtins = moduleLoadList.slice(loadedBefore).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  process.stdout.write(`${JSON.stringify({ ns: Number(t1 - t0), rss, heapUsed, kind, builtins, network: realNetworkAttempts() })}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

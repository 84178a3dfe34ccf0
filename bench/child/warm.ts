/**
 * Warm measurements, run in a fresh node process per side and round: for each request kind,
 * a warm-up, then timed calls (`process.hrtime.bigint()` around one `await handler(event)`).
 * Every response is classified outside the timed window; the parent refuses results whose
 * responses are not of the expected kind. Also the floor: one RS256 verification with node:crypto;
 * and session mode's viewer function (CloudFront Functions) in the runtime-2.0 sandbox, alternating
 * call by call with an empty function loaded the same way (the sandbox's own cost, subtracted).
 * Usage (after esbuild): node warm.js <spec.json> <out.json>
 */
import { createPublicKey, JsonWebKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCloudFrontFunction } from '../../test/support/cloudfront-functions-sandbox';
import { realNetworkAttempts } from '../../test/support/no-network';
import { CfEvent, classify, handlerOf, LAMBDA_CONTEXT } from '../lib/events';
import type { ViewerWarmSpec } from '../lib/session-mode';

export interface WarmKindSpec {
  name: string;
  /** Events used round-robin (one, or one per distinct token). */
  events: CfEvent[];
  warmup: number;
  calls: number;
}

export interface WarmSpec {
  /** Deployable directory (index.js + config.json); absent for a floor-only run. */
  dir?: string;
  clientId: string;
  freshIdTokens: string[];
  kinds: WarmKindSpec[];
  floor?: { jwk: JsonWebKey; token: string; warmup: number; calls: number };
  /** Session mode: the configured viewer function and the empty one, timed in the sandbox. */
  viewer?: ViewerWarmSpec;
}

export interface WarmKindResult {
  name: string;
  /** Nanoseconds per timed call. */
  ns: number[];
  /** Response kinds seen over warm-up and timed calls. */
  kinds: Record<string, number>;
}

async function main(): Promise<void> {
  const [specPath, outPath] = process.argv.slice(2);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as WarmSpec;
  const ctx = { clientId: spec.clientId, freshIdTokens: new Set(spec.freshIdTokens) };
  const out: WarmKindResult[] = [];

  if (spec.dir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = handlerOf(require(join(spec.dir, 'index.js')));
    for (const k of spec.kinds) {
      const kinds: Record<string, number> = {};
      const ns = new Array<number>(k.calls);
      for (let i = 0; i < k.warmup + k.calls; i++) {
        // A fresh copy per call: handlers may edit the request in place (e.g. strip cookies).
        const event = structuredClone(k.events[i % k.events.length]);
        const t0 = process.hrtime.bigint();
        const result = await handler(event, LAMBDA_CONTEXT);
        const t1 = process.hrtime.bigint();
        if (i >= k.warmup) ns[i - k.warmup] = Number(t1 - t0);
        const kind = classify(result, ctx);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      out.push({ name: k.name, ns, kinds });
    }
  }

  if (spec.floor) {
    const f = spec.floor;
    const key = createPublicKey({ key: f.jwk, format: 'jwk' });
    const dot = f.token.lastIndexOf('.');
    const data = Buffer.from(f.token.slice(0, dot));
    const sig = Buffer.from(f.token.slice(dot + 1), 'base64url');
    const ns = new Array<number>(f.calls);
    let ok = 0;
    for (let i = 0; i < f.warmup + f.calls; i++) {
      const t0 = process.hrtime.bigint();
      const valid = verify('RSA-SHA256', data, key, sig);
      const t1 = process.hrtime.bigint();
      if (i >= f.warmup) ns[i - f.warmup] = Number(t1 - t0);
      if (valid) ok++;
    }
    out.push({ name: 'floor', ns, kinds: { [ok === f.warmup + f.calls ? 'verified' : 'FAILED']: f.warmup + f.calls } });
  }

  if (spec.viewer) out.push(...await warmViewer(spec.viewer));

  writeFileSync(outPath, JSON.stringify({ results: out, network: realNetworkAttempts() }));
  process.exit(0);
}

/**
 * Times `invoke()` of the viewer function and of the empty function, alternating call by call so
 * that both see the same machine; the sandbox copies the event in and the result out (JSON) in
 * both, which is the part the subtraction removes. Results: kinds `viewer` and `viewerEmpty`.
 */
async function warmViewer(v: ViewerWarmSpec): Promise<WarmKindResult[]> {
  const fn = loadCloudFrontFunction(v.code, { store: v.store });
  const empty = loadCloudFrontFunction(v.emptyCode, { store: v.store });
  const own: WarmKindResult = { name: 'viewer', ns: new Array<number>(v.calls), kinds: {} };
  const base: WarmKindResult = { name: 'viewerEmpty', ns: new Array<number>(v.calls), kinds: {} };
  for (let i = 0; i < v.warmup + v.calls; i++) {
    for (const [sandbox, into] of (i % 2 === 0 ? [[fn, own], [empty, base]] : [[empty, base], [fn, own]]) as Array<[typeof fn, WarmKindResult]>) {
      const t0 = process.hrtime.bigint();
      const result = await sandbox.invoke(v.event, v.nowMs);
      const t1 = process.hrtime.bigint();
      if (i >= v.warmup) into.ns[i - v.warmup] = Number(t1 - t0);
      // Let through (a request, not a generated response), with the identity header for the viewer function.
      const r = result as { uri?: unknown; statusCode?: unknown; headers?: Record<string, { value: string }> };
      const kind = r.statusCode === undefined && typeof r.uri === 'string' ? 'pass' : `other: status ${String(r.statusCode)}`;
      into.kinds[kind] = (into.kinds[kind] ?? 0) + 1;
      if (sandbox === fn && kind === 'pass' && r.headers?.['x-cognito-edge-auth-user'] === undefined) into.kinds['pass without identity header'] = (into.kinds['pass without identity header'] ?? 0) + 1;
    }
  }
  return [own, base];
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

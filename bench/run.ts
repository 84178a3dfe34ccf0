/**
 * `npm run bench`: our edge bundle (assets/edge-auth/index.js + config.json) against cognito-at-edge
 * (bundled with esbuild the way a user would deploy it), in one run on one machine, with the same
 * pool, client, keys and tokens, neither side touching the network (JWKS pre-loaded; the refresh
 * grant goes to a local token endpoint on 127.0.0.1).
 *
 * Writes bench/results.md and bench/results.json and prints the table. Options:
 *   --quick            few samples, for checking the harness (writes nothing unless --out is given)
 *   --cold N           cold-start samples per side (default 30)
 *   --calls N          timed warm calls per request kind and side (default 6000)
 *   --refresh-calls N  timed refresh calls per side (default 5000; each one is an HTTPS round trip)
 *   --rounds N         warm processes per side, interleaved (default 10: on a shared machine noise comes in
 *                      bursts that can cover one process; more, shorter rounds spread it over both sides)
 *   --warmup N         untimed calls per request kind and process before the timed ones (default 5000:
 *                      a warm edge instance serves many requests, so the JIT's steady state is what counts)
 *   --profile          profile ours for every floor and the error kinds, not only where a floor is not met
 *   --no-profile       no profiles
 *   --no-rebuild       do not rebuild a stale assets/edge-auth/index.js
 *   --ours-src         bundle lambda-src/edge-auth into the scratch directory instead of using assets/ (trying uncommitted work)
 *   --out DIR          where results.md/json go (default bench/)
 *   --keep             keep the scratch directory
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { generate } from 'selfsigned';
import type { WarmKindResult, WarmSpec } from './child/warm';
import { CfEvent, Kind, OTHER_COOKIES, viewerRequest } from './lib/events';
import type { CookieLayout, TokenCookies } from './lib/events';
import { CLIENT_ID, garbageToken, makeKeys, mintTokens, opaqueRefreshToken, TokenSet, USER_POOL_ID, USERNAME } from './lib/jwt';
import { topSelfTime } from './lib/profile';
import { renderMarkdown, renderConsole, Results, WarmRow, FloorRow } from './lib/report';
import {
  BENCH_RULES, configuredViewer, cookieHeaderRows, EMPTY_VIEWER_FUNCTION, functionsEvent, lambdaEdgeCostPerMillion, SESSION_STORE,
  sessionCookieFor, sessionCostPerMillion, SessionResults, viewerCodeSize, viewerFunctionCode,
} from './lib/session-mode';
import { buildChildren, buildDeployables, OURS_BUILD, OURS_BUNDLE, oursCookies, REPO, theirsCookies } from './lib/sides';
import { deployableFiles, measureFiles, newestMtime, packageClosure } from './lib/sizes';
import { summarize } from './lib/stats';
import { startTokenServer } from './lib/token-server';

// ---------------------------------------------------------------- options

interface Options {
  quick: boolean;
  cold: number;
  calls: number;
  refreshCalls: number;
  distinctCalls: number;
  warmup: number;
  rounds: number;
  profile: 'failing' | 'all' | 'none';
  rebuild: boolean;
  oursSrc: boolean;
  out?: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false, cold: 30, calls: 6000, refreshCalls: 5000, distinctCalls: 5000, warmup: 5000, rounds: 10, profile: 'failing', rebuild: true, oursSrc: false, keep: false,
  };
  const num = (i: number): number => {
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${argv[i]} needs a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--quick': Object.assign(o, { quick: true, cold: 5, calls: 1000, refreshCalls: 200, distinctCalls: 200, warmup: 200, rounds: 1 }); break;
      case '--cold': o.cold = num(i++); break;
      case '--calls': o.calls = num(i++); break;
      case '--refresh-calls': o.refreshCalls = num(i++); break;
      case '--rounds': o.rounds = num(i++); break;
      case '--warmup': o.warmup = num(i++); break;
      case '--profile': o.profile = 'all'; break;
      case '--no-profile': o.profile = 'none'; break;
      case '--no-rebuild': o.rebuild = false; break;
      case '--ours-src': o.oursSrc = true; break;
      case '--out': o.out = argv[++i]; break;
      case '--keep': o.keep = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

// ---------------------------------------------------------------- child processes

let childEnv: NodeJS.ProcessEnv = {};

function makeChildEnv(caFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const k of ['NODE_OPTIONS', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k];
  return env;
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().slice(0, 2000)}`));
    });
  });
}

interface ColdSample { ns: number; rss: number; heapUsed: number; kind: string; builtins?: string[]; network: string[] }

// ---------------------------------------------------------------- helpers

function rotate<T>(a: T[], by: number): T[] {
  const k = by % a.length;
  return [...a.slice(k), ...a.slice(0, k)];
}

function ensureFreshBundle(rebuild: boolean): string | undefined {
  const srcDir = join(REPO, 'lambda-src');
  const stale = !existsSync(OURS_BUNDLE) || newestMtime(srcDir) > statSync(OURS_BUNDLE).mtimeMs;
  if (!stale) return undefined;
  if (!rebuild) return 'assets/edge-auth/index.js is older than lambda-src/ (--no-rebuild given): results are for the old bundle';
  log('assets/edge-auth/index.js is missing or older than lambda-src/: running `npx projen bundle`');
  const r = spawnSync('npx', ['projen', 'bundle'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('`npx projen bundle` failed: the bench needs a built assets/edge-auth/index.js');
  return undefined;
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const notes: string[] = [];
  if (opts.oursSrc) {
    notes.push('ours was bundled from the working tree (lambda-src/edge-auth, --ours-src), not taken from assets/');
  } else {
    const staleNote = ensureFreshBundle(opts.rebuild);
    if (staleNote) notes.push(staleNote);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'edge-auth-bench-'));
  log(`scratch: ${scratch}`);
  const keys = makeKeys();

  // TLS for the local token endpoint (both sides call it over HTTPS, as in production).
  const tls = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const caFile = join(scratch, 'ca.pem');
  writeFileSync(caFile, tls.cert);
  childEnv = makeChildEnv(caFile);

  // Fresh tokens for the token endpoint: one per refresh call a process makes, so none repeats within a process.
  const perProcessRefresh = Math.ceil(opts.refreshCalls / opts.rounds) + Math.min(opts.warmup, 200);
  log(`minting ${perProcessRefresh} fresh token sets for the token endpoint`);
  const pool: TokenSet[] = Array.from({ length: perProcessRefresh }, () => mintTokens(keys.privateKey));
  const refreshOurs = opaqueRefreshToken();
  const refreshTheirs = opaqueRefreshToken();
  const server = await startTokenServer({ tlsKey: tls.private, tlsCert: tls.cert, refreshTokens: [refreshOurs, refreshTheirs], pool });
  const freshIdTokens = pool.map((t) => t.idToken);

  try {
    const d = await buildDeployables(scratch, {
      jwks: keys.jwks,
      tokenOrigin: server.httpsOrigin,
      stateSecret: 'bench-state-secret-0123456789abcdef0123456789',
      nonceSigningSecret: 'bench-nonce-secret-0123456789abcdef',
    }, opts.oursSrc);
    const noop = join(scratch, 'noop');
    mkdirSync(noop);
    writeFileSync(join(noop, 'index.js'), 'exports.handler = async (event) => event.Records[0].cf.request;\n');
    writeFileSync(join(noop, 'config.json'), '{}');
    const children = await buildChildren(scratch);

    // ------------------------------------------------------------ sizes
    log('sizes');
    const closure = packageClosure('cognito-at-edge', REPO);
    const closureFiles = new Map(closure.files);
    const entryJs = join(scratch, 'theirs-entry.js');
    await build({ entryPoints: [join(__dirname, 'theirs', 'index.ts')], outfile: entryJs, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    closureFiles.set('index.js', entryJs);
    closureFiles.set('config.json', join(d.theirs, 'config.json'));
    const sizes = {
      ours: await measureFiles(deployableFiles(d.ours)),
      theirsBundled: await measureFiles(deployableFiles(d.theirs)),
      theirsClosure: { ...(await measureFiles(closureFiles)), packages: closure.packages },
    };
    const composition = await bundleComposition(scratch);

    // ------------------------------------------------------------ request kinds
    const valid = mintTokens(keys.privateKey, { refreshToken: 'unused' });
    const expired = mintTokens(keys.privateKey, { idTtlSeconds: -120, refreshToken: 'unused' });
    const forged = mintTokens(keys.forgerKey, { refreshToken: 'unused' });
    const garbage = garbageToken();
    // Distinct tokens: enough for one process's warm-up and timed calls, so that no token repeats within a process.
    const distinctWarmup = 200;
    const distinctPerRound = Math.ceil(opts.distinctCalls / opts.rounds);
    const distinct = Array.from({ length: distinctWarmup + distinctPerRound }, () => mintTokens(keys.privateKey, { refreshToken: 'unused' }));

    const cookie = (layout: CookieLayout, t: TokenCookies): string | undefined => {
      const own = layout(t);
      return own === undefined ? undefined : `${OTHER_COOKIES}; ${own}`;
    };
    interface KindDef {
      name: string;
      label: string;
      expect: Kind;
      events: (layout: CookieLayout, rt: string) => CfEvent[];
      calls: number;
      warmup?: number;
      info?: boolean;
    }
    const kindDefs: KindDef[] = [
      { name: 'valid', label: 'valid cookie (same token each call)', expect: 'pass', calls: opts.calls, events: (l, rt) => [viewerRequest(cookie(l, { id: valid.idToken, access: valid.accessToken, refresh: rt }))] },
      { name: 'login', label: 'no cookie → login redirect', expect: 'login', calls: opts.calls, events: () => [viewerRequest(undefined)] },
      { name: 'refresh', label: 'expired id token + refresh token → refresh (HTTPS to 127.0.0.1)', expect: 'refresh', calls: opts.refreshCalls, warmup: Math.min(opts.warmup, 200), events: (l, rt) => [viewerRequest(cookie(l, { id: expired.idToken, access: expired.accessToken, refresh: rt }))] },
      { name: 'garbage', label: 'garbage token cookie → login redirect', expect: 'login', calls: opts.calls, events: (l) => [viewerRequest(cookie(l, { id: garbage, access: garbage }))] },
      { name: 'forged', label: 'forged signature → login redirect', expect: 'login', calls: opts.calls, events: (l) => [viewerRequest(cookie(l, { id: forged.idToken, access: forged.accessToken }))] },
      { name: 'validDistinct', label: 'valid cookie, a new token each call (no cache hit possible)', expect: 'pass', calls: distinctPerRound * opts.rounds, warmup: distinctWarmup, info: true, events: (l, rt) => distinct.map((t) => viewerRequest(cookie(l, { id: t.idToken, access: t.accessToken, refresh: rt }))) },
    ];

    // ------------------------------------------------------------ session mode (design §7)
    // The viewer function, configured as the construct configures it for the bench's settings, on
    // the same signed-in navigation as the valid-cookie row, carrying the session cookie instead.
    const viewerSrc = await viewerFunctionCode();
    const sessionNowMs = Date.now();
    const sessionCookie = sessionCookieFor(USERNAME, ['readers'], BENCH_RULES, Math.floor(sessionNowMs / 1000));
    const sessionEvent = functionsEvent(viewerRequest(`${OTHER_COOKIES}; __Host-CognitoEdgeAuth-s=${sessionCookie}`));

    // ------------------------------------------------------------ cold start
    log(`cold start: ${opts.cold} samples per side, interleaved`);
    const coldSpec = (layout: CookieLayout, rt: string): string => {
      const f = join(scratch, `cold-${rt === refreshOurs ? 'ours' : rt === refreshTheirs ? 'theirs' : 'noop'}.json`);
      const event = viewerRequest(cookie(layout, { id: valid.idToken, access: valid.accessToken, refresh: rt }));
      writeFileSync(f, JSON.stringify({ event, clientId: CLIENT_ID }));
      return f;
    };
    const coldTargets = [
      { side: 'ours', dir: d.ours, spec: coldSpec(oursCookies, refreshOurs) },
      { side: 'theirs', dir: d.theirs, spec: coldSpec(theirsCookies, refreshTheirs) },
      { side: 'noop', dir: noop, spec: coldSpec(oursCookies, 'noop') },
      { side: 'baseline', dir: '', spec: '' },
    ];
    const cold: Record<string, ColdSample[]> = { ours: [], theirs: [], noop: [], baseline: [] };
    for (let i = 0; i < opts.cold; i++) {
      for (const t of rotate(coldTargets, i)) {
        if (t.side === 'baseline') {
          const out = await runNode(['-e', 'process.stdout.write(JSON.stringify({ns:0,rss:process.memoryUsage.rss(),heapUsed:process.memoryUsage().heapUsed,kind:"-",network:[]}))']);
          cold.baseline.push(JSON.parse(out) as ColdSample);
        } else {
          cold[t.side].push(JSON.parse(await runNode([children.cold, t.dir, t.spec])) as ColdSample);
        }
      }
    }

    // ------------------------------------------------------------ warm
    log(`warm: ${opts.rounds} round(s) per side, interleaved`);
    const perRound = (n: number): number => Math.ceil(n / opts.rounds);
    const warmSpec = (name: string, dir: string | undefined, layout: CookieLayout, rt: string, only?: string[], floor = false): string => {
      const spec: WarmSpec = {
        dir,
        clientId: CLIENT_ID,
        freshIdTokens,
        kinds: dir ? kindDefs.filter((k) => !only || only.includes(k.name)).map((k) => ({
          name: k.name,
          events: k.events(layout, rt),
          warmup: k.warmup ?? opts.warmup,
          calls: perRound(k.calls),
        })) : [],
        floor: floor ? { jwk: keys.jwks.keys[0], token: valid.idToken, warmup: opts.warmup, calls: perRound(opts.calls) } : undefined,
      };
      const f = join(scratch, `warm-${name}.json`);
      writeFileSync(f, JSON.stringify(spec));
      return f;
    };
    function sessionSpec(): string {
      const spec: WarmSpec = {
        clientId: CLIENT_ID,
        freshIdTokens: [],
        kinds: [],
        viewer: {
          code: configuredViewer(viewerSrc.code),
          emptyCode: EMPTY_VIEWER_FUNCTION,
          store: SESSION_STORE,
          event: sessionEvent,
          nowMs: sessionNowMs,
          warmup: opts.warmup,
          calls: perRound(opts.calls),
        },
      };
      const f = join(scratch, 'warm-session.json');
      writeFileSync(f, JSON.stringify(spec));
      return f;
    }
    const warmTargets = [
      { side: 'ours', spec: warmSpec('ours', d.ours, oursCookies, refreshOurs) },
      { side: 'theirs', spec: warmSpec('theirs', d.theirs, theirsCookies, refreshTheirs) },
      { side: 'theirsCsrf', spec: warmSpec('theirs-csrf', d.theirsCsrf, theirsCookies, refreshTheirs, ['login']) },
      { side: 'floor', spec: warmSpec('floor', undefined, oursCookies, refreshOurs, [], true) },
      { side: 'session', spec: sessionSpec() },
    ];
    const warm: Record<string, Map<string, WarmKindResult>> = {};
    /** Median (ns) of each round, per side and kind: rounds of both sides ran next to each other, so per-round ratios show how stable a ratio is. */
    const roundMedians: Record<string, Record<string, number[]>> = {};
    const network: string[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      for (const t of rotate(warmTargets, r)) {
        const outFile = join(scratch, `warm-out-${t.side}-${r}.json`);
        await runNode([children.warm, t.spec, outFile]);
        const parsed = JSON.parse(readFileSync(outFile, 'utf8')) as { results: WarmKindResult[]; network: string[] };
        network.push(...parsed.network.map((h) => `${t.side}: ${h}`));
        const bySide = (warm[t.side] ??= new Map());
        const medians = (roundMedians[t.side] ??= {});
        for (const k of parsed.results) {
          (medians[k.name] ??= []).push(summarize(k.ns).median);
          const prev = bySide.get(k.name);
          if (!prev) {
            bySide.set(k.name, k);
          } else {
            prev.ns.push(...k.ns);
            for (const [kind, n] of Object.entries(k.kinds)) prev.kinds[kind] = (prev.kinds[kind] ?? 0) + n;
          }
        }
      }
    }
    for (const s of Object.values(cold)) for (const c of s) network.push(...c.network);

    // ------------------------------------------------------------ sanity
    const sanity: Results['sanity'] = [];
    const coldKinds = (side: string): Record<string, number> => {
      const seen: Record<string, number> = {};
      for (const c of cold[side]) seen[c.kind] = (seen[c.kind] ?? 0) + 1;
      return seen;
    };
    for (const side of ['ours', 'theirs', 'noop']) {
      const seen = coldKinds(side);
      sanity.push({ side, kind: 'cold start (valid cookie)', expect: 'pass', seen, ok: Object.keys(seen).length === 1 && seen.pass === cold[side].length });
    }
    for (const k of kindDefs) {
      for (const side of ['ours', 'theirs']) {
        const seen = warm[side].get(k.name)?.kinds ?? {};
        const total = Object.values(seen).reduce((a, b) => a + b, 0);
        sanity.push({ side, kind: k.name, expect: k.expect, seen, ok: total > 0 && seen[k.expect] === total });
      }
    }
    {
      const seen = warm.theirsCsrf.get('login')?.kinds ?? {};
      const total = Object.values(seen).reduce((a, b) => a + b, 0);
      sanity.push({ side: 'theirs+csrf', kind: 'login', expect: 'login', seen, ok: total > 0 && seen.login === total });
      const fl = warm.floor.get('floor')?.kinds ?? {};
      sanity.push({ side: 'node:crypto', kind: 'floor', expect: 'verified', seen: fl, ok: Object.keys(fl).length === 1 && 'verified' in fl });
    }
    for (const kind of ['viewer', 'viewerEmpty']) {
      const seen = warm.session.get(kind)?.kinds ?? {};
      const total = Object.values(seen).reduce((a, b) => a + b, 0);
      sanity.push({ side: 'session mode', kind, expect: 'pass', seen, ok: total > 0 && seen.pass === total });
    }
    const refreshDone = (side: string): number => warm[side].get('refresh')?.kinds.refresh ?? 0;
    const hits = { ours: server.hits.get(refreshOurs) ?? 0, theirs: server.hits.get(refreshTheirs) ?? 0 };
    const tokenEndpointOk = hits.ours === refreshDone('ours') && hits.theirs === refreshDone('theirs');
    sanity.push({ side: 'token endpoint', kind: 'refresh grants', expect: 'one per refresh', seen: { ours: hits.ours, theirs: hits.theirs, rejected: server.rejected.length }, ok: tokenEndpointOk || (refreshDone('ours') === 0 && refreshDone('theirs') === 0) });
    sanity.push({ side: 'both', kind: 'non-loopback connections', expect: 'none', seen: { attempts: network.length }, ok: network.length === 0 });
    const sanityOk = (side: string, kind: string): boolean => sanity.filter((s) => s.side === side && s.kind === kind).every((s) => s.ok);

    // ------------------------------------------------------------ rows and floors
    const us = (side: string, kind: string): ReturnType<typeof summarize> => summarize(warm[side].get(kind)?.ns ?? [], 1000);
    /** Median µs of a signed-in request (valid cookie) on one side. */
    const wr0 = (side: string): number => us(side, 'valid').median;
    const warmRows: WarmRow[] = kindDefs.map((k) => {
      const ours = us('ours', k.name);
      const theirs = us('theirs', k.name);
      const valid_ = sanityOk('ours', k.name) && sanityOk('theirs', k.name);
      const ratio = valid_ ? ours.median / theirs.median : NaN;
      const o = roundMedians.ours?.[k.name] ?? [];
      const t = roundMedians.theirs?.[k.name] ?? [];
      const roundRatios = o.map((m, i) => m / t[i]);
      return {
        name: k.name,
        label: k.label,
        info: !!k.info,
        ours,
        theirs,
        valid: valid_,
        ratio,
        ratioP99: valid_ ? ours.p99 / theirs.p99 : NaN,
        roundRatios: valid_ ? roundRatios : [],
      };
    });
    const theirsCsrfLogin = us('theirsCsrf', 'login');

    const viewerUs = us('session', 'viewer');
    const emptyUs = us('session', 'viewerEmpty');
    const sessionRounds = roundMedians.session ?? {};
    const session: SessionResults = {
      codeFrom: viewerSrc.from,
      size: viewerCodeSize(viewerSrc.code),
      viewerUs,
      emptyUs,
      ownUs: viewerUs.median - emptyUs.median,
      roundOwnUs: (sessionRounds.viewer ?? []).map((m, i) => (m - (sessionRounds.viewerEmpty ?? [])[i]) / 1000),
      cookies: cookieHeaderRows(keys.privateKey),
      cost: {
        lambdaEdge: { ...lambdaEdgeCostPerMillion(wr0('ours')), medianUs: wr0('ours') },
        theirs: { ...lambdaEdgeCostPerMillion(wr0('theirs')), medianUs: wr0('theirs') },
        session: sessionCostPerMillion(),
      },
      valid: sanityOk('session mode', 'viewer') && sanityOk('session mode', 'viewerEmpty'),
    };
    const floorUs = us('floor', 'floor');

    const coldMs = (side: string): ReturnType<typeof summarize> => summarize(cold[side].map((c) => c.ns), 1e6);
    const rssMiB = (side: string): ReturnType<typeof summarize> => summarize(cold[side].map((c) => c.rss), 1024 * 1024);
    const heapMiB = (side: string): ReturnType<typeof summarize> => summarize(cold[side].map((c) => c.heapUsed), 1024 * 1024);
    const coldOk = sanity.filter((s) => s.kind.startsWith('cold')).every((s) => s.ok);
    const coldRes = {
      ms: { ours: coldMs('ours'), theirs: coldMs('theirs'), noop: coldMs('noop') },
      // Samples i of both sides ran next to each other: the median of their ratios is less exposed to slow phases of the machine.
      pairedRatio: summarize(cold.ours.map((c, i) => c.ns / cold.theirs[i].ns)),
      rssMiB: { ours: rssMiB('ours'), theirs: rssMiB('theirs'), noop: rssMiB('noop'), baseline: rssMiB('baseline') },
      heapUsedMiB: { ours: heapMiB('ours'), theirs: heapMiB('theirs'), noop: heapMiB('noop'), baseline: heapMiB('baseline') },
      builtins: { ours: cold.ours[0]?.builtins ?? [], theirs: cold.theirs[0]?.builtins ?? [], noop: cold.noop[0]?.builtins ?? [] },
    };

    const wr = (n: string): WarmRow => warmRows.find((r) => r.name === n)!;
    const rssOver = coldRes.rssMiB.ours.median - coldRes.rssMiB.baseline.median;
    const floors: FloorRow[] = [
      // A size is only worth comparing for a bundle that works (a stub is tiny).
      { name: 'zip size', rule: 'ours/theirs ≤ 0.2×', value: sizes.ours.zip / sizes.theirsBundled.zip, limit: 0.2, unit: '×', valid: wr('valid').valid && wr('login').valid },
      { name: 'cold start (median)', rule: 'ours/theirs ≤ 0.3×', value: coldRes.ms.ours.median / coldRes.ms.theirs.median, limit: 0.3, unit: '×', valid: coldOk },
      { name: 'warm valid cookie (median)', rule: 'ours/theirs ≤ 0.3×', value: wr('valid').ratio, limit: 0.3, unit: '×', valid: wr('valid').valid },
      { name: 'warm login redirect (median)', rule: 'ours/theirs ≤ 2×', value: wr('login').ratio, limit: 2, unit: '×', valid: wr('login').valid },
      { name: 'RSS over bare node (median)', rule: '≤ 5 MiB', value: rssOver, limit: 5, unit: 'MiB', valid: coldOk },
    ].map((f) => ({ ...f, met: f.valid && Number.isFinite(f.value) && f.value <= f.limit }));

    // ------------------------------------------------------------ profiles
    const profiles: Results['profiles'] = [];
    const want = (floorName: string): boolean => opts.profile === 'all' || (opts.profile === 'failing' && !floors.find((f) => f.name === floorName)!.met);
    const profileWarm = async (kind: string): Promise<void> => {
      const dir = join(scratch, `prof-${kind}`);
      mkdirSync(dir);
      const events = kindDefs.find((k) => k.name === kind)!.events(oursCookies, refreshOurs);
      // Distinct tokens must not repeat (a repeat would be a cache hit).
      const calls = kind === 'validDistinct' ? events.length - 200 : 20000;
      const spec: WarmSpec = { dir: d.oursProfile, clientId: CLIENT_ID, freshIdTokens, kinds: [{ name: kind, events, warmup: 200, calls }] };
      const specFile = join(dir, 'spec.json');
      writeFileSync(specFile, JSON.stringify(spec));
      await runNode(['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', children.warm, specFile, join(dir, 'out.json')]);
      const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
      profiles.push({ what: `ours, warm "${kind}" (${calls} calls after 200 warm-up)`, ...topSelfTime(files, 15, '/ours-profile/index.js') });
    };
    if (opts.profile !== 'none') {
      log('profiles');
      if (want('warm valid cookie (median)')) await profileWarm('valid');
      if (want('warm login redirect (median)')) await profileWarm('login');
      if (opts.profile === 'all') for (const k of ['garbage', 'forged', 'validDistinct']) await profileWarm(k);
      if (want('cold start (median)')) {
        const dir = join(scratch, 'prof-cold');
        mkdirSync(dir);
        for (let i = 0; i < 10; i++) await runNode(['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50', children.cold, d.oursProfile, coldTargets[0].spec]);
        const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
        profiles.push({ what: 'ours, cold start (10 processes merged; whole process, node bootstrap included)', ...topSelfTime(files, 20) });
      }
    }

    const results: Results = {
      meta: {
        date: new Date().toISOString(),
        node: process.version,
        cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
        os: `${process.platform} ${release()}`,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        loadavg1mAtEnd: loadavg()[0],
        commit: git(['rev-parse', '--short', 'HEAD']),
        handlerLastCommit: git(['log', '-1', '--format=%h %s', '--', 'lambda-src/edge-auth']),
        cognitoAtEdge: (JSON.parse(readFileSync(join(REPO, 'node_modules', 'cognito-at-edge', 'package.json'), 'utf8')) as { version: string }).version,
        options: { cold: opts.cold, calls: opts.calls, refreshCalls: opts.refreshCalls, warmup: opts.warmup, rounds: opts.rounds, quick: opts.quick },
        runSeconds: 0,
        userPoolId: USER_POOL_ID,
      },
      sizes,
      composition,
      cold: coldRes,
      warm: warmRows,
      theirsCsrfLogin,
      floor: floorUs,
      floors,
      sanity,
      profiles,
      notes,
      session,
    };
    results.meta.runSeconds = Math.round((Date.now() - started) / 1000);

    const md = renderMarkdown(results);
    process.stdout.write(`${renderConsole(results)}\n`);
    const outDir = opts.out ?? (opts.quick ? undefined : __dirname);
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'results.md'), md);
      writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
      log(`wrote ${join(outDir, 'results.md')} and results.json`);
    } else {
      log('--quick: results not written (give --out DIR to write them)');
    }
    if (!sanity.every((s) => s.ok)) {
      log('SANITY CHECK FAILED: some rows measured the wrong kind of response (marked invalid)');
      process.exitCode = 1;
    }
  } finally {
    await server.close();
    if (!opts.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Where ours' bytes come from: esbuild's metafile of the same build as the bundle task, grouped by package. */
async function bundleComposition(scratch: string): Promise<Array<{ input: string; bytes: number }>> {
  const r = await build({ ...OURS_BUILD, outfile: join(scratch, 'composition', 'index.js'), metafile: true });
  const groups = new Map<string, number>();
  for (const out of Object.values(r.metafile.outputs)) {
    for (const [input, info] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1] : input;
      groups.set(key, (groups.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...groups.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});


/**
 * What the edge bundles are made of (design §5: aws-jwt-verify plus the handler, no HTTP client, no
 * logger library, no AWS SDK), checked on esbuild's metafile of the shipped build settings, and
 * that assets/edge-auth/index.js (Lambda@Edge mode) and assets/edge-auth-session/index.js (with
 * session mode) are exactly those builds; the first carries none of session mode's code.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE, ensureBundle, loadBundle, SESSION_BUNDLE } from './bundle';
import { asResponse, baseConfig, cfEvent, COOKIE_PREFIX, idToken } from './helpers';
import { EDGE_AUTH_BUILD, EDGE_AUTH_SESSION_BUILD } from '../../scripts/bundle';

/** A build: its code, the files esbuild read (`inputs`) and those with code in the output (`included`). */
interface Fresh { code: string; inputs: string[]; included: string[] }

async function freshBuild(options = EDGE_AUTH_BUILD): Promise<Fresh> {
  const r = await build({ ...options, minify: true, write: false, metafile: true, outfile: 'index.js', logLevel: 'silent' });
  const output = Object.values(r.metafile.outputs)[0];
  const included = Object.entries(output.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([name]) => name);
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs), included };
}

let fresh: Fresh;
let freshSession: Fresh;
beforeAll(async () => {
  ensureBundle();
  fresh = await freshBuild();
  freshSession = await freshBuild(EDGE_AUTH_SESSION_BUILD);
}, 60_000);

test('assets/edge-auth/index.js is the build of the current sources with the shipped settings', () => {
  expect(readFileSync(BUNDLE, 'utf8')).toBe(fresh.code);
});

test('assets/edge-auth-session/index.js is the session-mode build of the current sources', () => {
  expect(readFileSync(SESSION_BUNDLE, 'utf8')).toBe(freshSession.code);
  expect(freshSession.code).not.toBe(fresh.code);
});

// The session cookie's purpose label (shared/session-cookie.ts) and a text of session mode's auth
// routes (session-routes.ts) mark session mode's code; no code of its modules is in the output.
const SESSION_ONLY_INPUTS = ['lambda-src/edge-auth/session-routes.ts', 'lambda-src/shared/session-cookie.ts'];
const SESSION_MARKERS = ['cognito-edge-auth/session/v1', 'This request came from another site'];

test('the Lambda@Edge-mode bundle carries no session-mode code; the session-mode bundle does', () => {
  for (const input of SESSION_ONLY_INPUTS) {
    expect(fresh.included).not.toContain(input);
    expect(freshSession.included).toContain(input);
  }
  for (const marker of SESSION_MARKERS) {
    expect(fresh.code).not.toContain(marker);
    expect(freshSession.code).toContain(marker);
  }
});

describe('a config.json with session', () => {
  const sessionConfig = baseConfig({
    callbackPath: '/_auth/callback',
    signOutPath: '/_auth/signout',
    session: { authPathPrefix: '/_auth/', keyId: 'k1', key: randomBytes(32).toString('base64url') },
  });
  let logs: string[];
  beforeEach(() => {
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
  });
  afterEach(() => jest.restoreAllMocks());

  test('is refused at load by the Lambda@Edge-mode bundle: the "not configured" page, a log line naming the bundle to use', async () => {
    const handler = loadBundle(sessionConfig, BUNDLE);
    const r = asResponse(await handler(cfEvent({ uri: '/private/page.html' })));
    expect(r.status).toBe('500');
    expect(r.body).toContain('Not configured');
    // The line written at load; the request's own line follows it.
    expect(JSON.parse(logs[0])).toEqual({
      level: 'error',
      msg: 'config_invalid',
      error: 'ConfigError',
      detail: expect.stringMatching(/session needs the session-mode bundle assets\/edge-auth-session\/index\.js/),
    });
  });

  test('runs in the session-mode bundle: only the auth routes are answered (404 elsewhere)', async () => {
    const handler = loadBundle(sessionConfig, SESSION_BUNDLE);
    expect(asResponse(await handler(cfEvent({ uri: '/private/page.html' }))).status).toBe('404');
    expect(asResponse(await handler(cfEvent({ uri: '/_auth/login' }))).status).toBe('302');
    expect(logs.map((l) => JSON.parse(l).msg)).not.toContain('config_invalid');
  });
});

test.each([['Lambda@Edge mode', () => fresh], ['session mode', () => freshSession]])('inputs (%s): the handler, its shared modules and aws-jwt-verify only', (_mode, get) => {
  const { inputs } = get();
  const outside = inputs.filter((input) => !/^(lambda-src\/(edge-auth|shared)\/|src\/private\/(config-rules|signed-out-path|canonical-path)\.ts$|node_modules\/aws-jwt-verify\/|edge-auth-stub:)/.test(input));
  expect(outside).toEqual([]);
  expect(inputs.some((i) => i.startsWith('node_modules/aws-jwt-verify/'))).toBe(true);
  // The stub replaced aws-jwt-verify's HTTPS fetcher.
  expect(inputs).not.toContain('node_modules/aws-jwt-verify/dist/esm/https-node.js');
});

test.each([['Lambda@Edge mode', () => fresh], ['session mode', () => freshSession]])('the bundle (%s) requires only crypto, fs and path: no https, tls or http at cold start', (_mode, get) => {
  const required = [...new Set([...get().code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1].replace(/^node:/, '')))].sort();
  expect(required).toEqual(['crypto', 'fs', 'path']);
});

// Lambda@Edge mode: 56 KiB / 19 KiB since the session guarantees of design §4.9–4.14 (canonical
// path, refresh race, guards, page set) and the shared configuration contract. The contract
// refusals and the canonical-path rule shared with the viewer function then brought it to about
// 57 150 B raw / 19 460 B gzip before session mode; session mode's code is not in this bundle, but
// a few of its traces remain (the handler's hooks for it, the refusal of `session`): measured
// 57 428 B raw and 19 560 B gzip, so the budget is the tightest quarter KiB above that.
test('size budget (Lambda@Edge mode): under 56.25 KiB raw and 19.25 KiB gzip', () => {
  const raw = Buffer.byteLength(fresh.code);
  expect(raw).toBeLessThan(56.25 * 1024);
  expect(gzipSync(fresh.code, { level: 9 }).length).toBeLessThan(19.25 * 1024);
});

// Session mode (design §7) adds the auth routes, the session cookie's mint and check (shared with
// the viewer function), the session field's validation and two pages: measured 67 177 B raw and
// 22 667 B gzip.
test('size budget (session mode): under 66 KiB raw and 22.25 KiB gzip', () => {
  const raw = Buffer.byteLength(freshSession.code);
  expect(raw).toBeLessThan(66 * 1024);
  expect(gzipSync(freshSession.code, { level: 9 }).length).toBeLessThan(22.25 * 1024);
});

test('a cold start up to the first verified request loads none of https, tls or http (the HTTPS fetcher is stubbed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-cold-'));
  copyFileSync(BUNDLE, join(dir, 'index.js'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(baseConfig({ logLevel: 'none' })));
  const event = cfEvent({ cookies: [`${COOKIE_PREFIX}id=${idToken()}`] });
  const probe = `
    const before = new Set(process.moduleLoadList);
    require('./index.js').handler(${JSON.stringify(event)}).then((result) => {
      const added = process.moduleLoadList.filter((m) => !before.has(m) && /^NativeModule (https|tls|_tls_wrap|http|_http_client)$/.test(m));
      require('node:fs').writeFileSync('out.json', JSON.stringify({ passed: result.uri !== undefined, added }));
    });`;
  const run = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual({ passed: true, added: [] });
});

/**
 * What the edge bundle is made of (design §5: aws-jwt-verify plus the handler, no HTTP client, no
 * logger library, no AWS SDK), checked on esbuild's metafile of the shipped build settings, and
 * that assets/edge-auth/index.js is exactly that build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE, ensureBundle } from './bundle';
import { baseConfig, cfEvent, COOKIE_PREFIX, idToken } from './helpers';
import { EDGE_AUTH_BUILD } from '../../scripts/bundle';

async function freshBuild(): Promise<{ code: string; inputs: string[] }> {
  const r = await build({ ...EDGE_AUTH_BUILD, minify: true, write: false, metafile: true, outfile: 'index.js', logLevel: 'silent' });
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs) };
}

let fresh: { code: string; inputs: string[] };
beforeAll(async () => {
  ensureBundle();
  fresh = await freshBuild();
}, 60_000);

test('assets/edge-auth/index.js is the build of the current sources with the shipped settings', () => {
  expect(readFileSync(BUNDLE, 'utf8')).toBe(fresh.code);
});

test('inputs: the handler, its shared modules and aws-jwt-verify only', () => {
  const outside = fresh.inputs.filter((input) => !/^(lambda-src\/(edge-auth|shared)\/|src\/private\/(config-rules|signed-out-path|canonical-path)\.ts$|node_modules\/aws-jwt-verify\/|edge-auth-stub:)/.test(input));
  expect(outside).toEqual([]);
  expect(fresh.inputs.some((i) => i.startsWith('node_modules/aws-jwt-verify/'))).toBe(true);
  // The stub replaced aws-jwt-verify's HTTPS fetcher.
  expect(fresh.inputs).not.toContain('node_modules/aws-jwt-verify/dist/esm/https-node.js');
});

test('the bundle requires only crypto, fs and path: no https, tls or http at cold start', () => {
  const required = [...new Set([...fresh.code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1].replace(/^node:/, '')))].sort();
  expect(required).toEqual(['crypto', 'fs', 'path']);
});

// 56 KiB / 19 KiB since the session guarantees of design §4.9–4.14 (canonical path, refresh race,
// guards, page set) and the shared configuration contract. 66 KiB / 22 KiB since session mode
// (design §7): the auth routes, the session cookie's mint and check (shared with the viewer
// function) and the session field's validation add about 10 KB raw, 3.3 KB gzip (measured with the
// contract's pattern checks: 67,177 B raw, 22,666 B gzip). That is about 0.22× the bundled
// cognito-at-edge (102 KB zipped), over the bench's 0.2× floor, which was set for the Lambda@Edge
// mode alone.
test('size budget: under 66 KiB raw and 23 KiB gzip', () => {
  const raw = Buffer.byteLength(fresh.code);
  expect(raw).toBeLessThan(66 * 1024);
  expect(gzipSync(fresh.code, { level: 9 }).length).toBeLessThan(23 * 1024);
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

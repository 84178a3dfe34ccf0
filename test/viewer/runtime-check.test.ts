/**
 * The static check of the built viewer function against CloudFront Functions runtime 2.0
 * (scripts/check-viewer-function.ts): the shipped build passes it, configured or not, within the
 * 10 KB limit; assets/viewer-function/index.js is that build; and each kind of refused syntax or
 * API is reported.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG, viewerCode } from './helpers';
import { buildViewerConfig, injectViewerConfig, VIEWER_CONFIG_PLACEHOLDER, VIEWER_FUNCTION_MAX_BYTES } from '../../lambda-src/shared/viewer-config';
import { checkViewerFunction } from '../../scripts/check-viewer-function';

const ROOT = join(__dirname, '..', '..');
const ASSET = join(ROOT, 'assets', 'viewer-function', 'index.js');

test('the build passes the check, with the placeholder and with a configuration written in', async () => {
  const code = await viewerCode();
  expect(checkViewerFunction(code, { placeholder: true })).toEqual([]);
  expect(checkViewerFunction(injectViewerConfig(code, CONFIG))).toEqual([]);
  // Without the configuration the placeholder is an unknown global.
  expect(checkViewerFunction(code)).toEqual([expect.stringContaining(`global ${VIEWER_CONFIG_PLACEHOLDER} is not offered`)]);
});

test('the build has the shape the runtime expects: two default imports first, a top-level handler, no export', async () => {
  const code = await viewerCode();
  const lines = code.split('\n');
  expect(lines[0]).toMatch(/^import [A-Za-z_$][\w$]* from "cloudfront";$/);
  expect(lines[1]).toMatch(/^import [A-Za-z_$][\w$]* from "crypto";$/);
  expect(code).toMatch(/\nasync function handler\(event\)\{return [A-Za-z_$][\w$]*\(event\)\}\n$/);
  expect(code.split(VIEWER_CONFIG_PLACEHOLDER)).toHaveLength(2);
});

test('size: well under the 10 KB limit, also with a large rule set written in', async () => {
  const code = await viewerCode();
  const size = Buffer.byteLength(code);
  const configured = Buffer.byteLength(injectViewerConfig(code, CONFIG));
  const rules = Array.from({ length: 20 }, (_, i) => ({ pathPattern: `/area-${i}/*`, requiredGroups: [`group-${i}`, 'admins'] }));
  const large = Buffer.byteLength(injectViewerConfig(code, buildViewerConfig({ requiredGroups: ['staff'], pathRules: rules })));
  process.stdout.write(`viewer function: ${size} B built, ${configured} B configured (test rules), ${large} B with 20 path rules; limit ${VIEWER_FUNCTION_MAX_BYTES} B\n`);
  expect(size).toBeLessThan(8 * 1024);
  expect(configured).toBeLessThan(VIEWER_FUNCTION_MAX_BYTES);
  expect(large).toBeLessThan(VIEWER_FUNCTION_MAX_BYTES);
});

test('assets/viewer-function/index.js is the build of the current sources', async () => {
  if (!existsSync(ASSET) || readFileSync(ASSET, 'utf8') !== await viewerCode()) {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'test/tsconfig.json', 'scripts/bundle.ts'], { cwd: ROOT, stdio: 'pipe' });
  }
  expect(readFileSync(ASSET, 'utf8')).toBe(await viewerCode());
}, 120_000);

describe('refusals', () => {
  const ok = 'import cf from "cloudfront";\nasync function handler(event){return event.request}\n';
  const cases: Array<[string, string, RegExp]> = [
    ['no handler', 'function main(e){return e}', /no top-level `function handler/],
    ['export', 'export async function handler(e){return e}', /modifier ExportKeyword/],
    ['export list', `${ok}export { handler };`, /ExportDeclaration/],
    ['other module', `import fs from "fs";\n${ok}`, /only `import x from "cloudfront"`/],
    ['named import', `import { kvs } from "cloudfront";\n${ok}`, /only `import x from "cloudfront"`/],
    ['require', `${ok}var fs = require("fs");`, /global require/],
    ['dynamic import', `${ok}import("x");`, /dynamic import/],
    ['class', `${ok}class A {}`, /ClassDeclaration/],
    ['generator', `${ok}function* g(){}`, /generators/],
    ['async closure', `${ok}var f = async () => 1;`, /async closures/],
    ['nested async function', `${ok}function o(){ async function i(){} return i }`, /top-level declarations/],
    ['async argument', `${ok}async function a(){}\n[1].map(a);`, /only be called/],
    ['destructuring', `${ok}var { a } = {};`, /destructuring/],
    ['spread', `${ok}Math.max(...[1]);`, /spread/],
    ['default parameter', `${ok}function f(a = 1){return a}`, /default parameters/],
    ['for-of', `${ok}for (var x of []) {}`, /ForOfStatement/],
    ['optional chaining', `${ok}var a = {}; a?.b;`, /optional chaining/],
    ['nullish coalescing', `${ok}var a = null ?? 1;`, /operator \?\?/],
    ['logical assignment', `${ok}var a; a ||= 1;`, /operator \|\|=/],
    ['shorthand property', `${ok}var a = 1; var o = { a };`, /ShorthandPropertyAssignment/],
    ['method property', `${ok}var o = { m(){} };`, /MethodDeclaration/],
    ['getter', `${ok}var o = { get m(){ return 1 } };`, /GetAccessor/],
    ['computed key', `${ok}var k = "a"; var o = { [k]: 1 };`, /computed property/],
    ['tagged template', `${ok}String.raw\`x\`;`, /TaggedTemplateExpression|String.raw/],
    ['optional catch binding', `${ok}try {} catch {}`, /optional catch binding/],
    ['BigInt', `${ok}var n = 1n;`, /BigIntLiteral/],
    ['regexp flag s', `${ok}var r = /a/s;`, /flags "s"/],
    ['eval', `${ok}eval("1");`, /global eval/],
    ['Function constructor', `${ok}new Function("return 1");`, /new is allowed only/],
    ['timer', `${ok}setTimeout(function(){}, 1);`, /global setTimeout/],
    ['Buffer', `${ok}Buffer.from("x");`, /global Buffer/],
    ['fetch', `${ok}fetch("https://example.com");`, /global fetch/],
    ['Map', `${ok}new Map();`, /Map/],
    ['undocumented method', `${ok}"abc".at(0);`, /method at\(\)/],
    ['undocumented static', `${ok}Object.fromEntries([]);`, /Object.fromEntries/],
    ['debugger', `${ok}debugger;`, /DebuggerStatement/],
    ['with', `${ok}with (Math) {}`, /WithStatement|syntax error/],
    ['syntax error', `${ok}var = ;`, /syntax error/],
    ['too large', `${ok}var s = "${'x'.repeat(11 * 1024)}";`, /size: \d+ bytes, over the 10240-byte limit/],
  ];
  test.each(cases)('%s', (_name, code, message) => {
    const problems = checkViewerFunction(code);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test('the minimal function passes (the refusals above are about their additions)', () => {
    expect(checkViewerFunction(ok)).toEqual([]);
  });
});

/**
 * Property-based tests (fast-check) of the built viewer function in the runtime-2.0 sandbox, over
 * arbitrary requests, cookies (valid under the current or previous key, expired, foreign-key,
 * unknown key id, altered, truncated, duplicated, random) and store failures:
 * - it never throws, and every answer is a known status with `Cache-Control: no-store`;
 * - it never lets a request through without a cookie that an independent check (Node's own
 *   crypto and Buffer, not the shared module) finds signed by a key in the store, unexpired and
 *   minted under the current rules, for a user the Lambda@Edge Authorizer would allow — unless
 *   the path is public (matched with the Lambda@Edge handler's own patterns), and then without
 *   a store read; and what it lets through has the canonical path (the test rules make every
 *   non-canonical spelling a redirect or a 400);
 * - it never redirects off the site: every Location is relative, and is the login or refresh
 *   route with a same-origin return path, or the canonical spelling of the requested path.
 * (viewer-differential.test.ts holds its decisions equal to the Lambda@Edge handler's.)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import {
  cfEvent, CONFIG, CURRENT_KEY, CURRENT_KID, isAnswer, mint, NOW, NOW_MS, OTHER_KEY, OTHER_KID, PREVIOUS_KEY, PREVIOUS_KID,
  PUBLIC_PATHS, RULES, RULES_HASH, SESSION, STORE, viewer,
} from './helpers';
import { Authorizer } from '../../lambda-src/edge-auth/authorization';
import { canonicalPath } from '../../lambda-src/edge-auth/canonical-path';
import { compilePathPattern } from '../../lambda-src/edge-auth/config';
import { SESSION_PURPOSE, sessionKeyName } from '../../lambda-src/shared/session-cookie';
import type { Sandbox } from '../support/cloudfront-functions-sandbox';

let fn: Sandbox;
beforeAll(async () => {
  fn = await viewer();
}, 60_000);

const publicPatterns = PUBLIC_PATHS.map(compilePathPattern);
const isPublic = (path: string): boolean => publicPatterns.some((p) => p.test(path));

const authorizer = new Authorizer({
  pathRules: RULES.pathRules!.map((r) => ({ pattern: compilePathPattern(r.pathPattern), requiredGroups: r.requiredGroups })),
  requiredGroups: RULES.requiredGroups,
});

/** Independent check of a cookie value: the user and groups it proves, or undefined. */
function oracle(value: string | undefined, nowSeconds: number): { u: string; g: string[] } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== '1') return undefined;
  const key = STORE[sessionKeyName(parts[1])];
  if (key === undefined) return undefined;
  const expected = createHmac('sha256', key).update(`${SESSION_PURPOSE}\n1.${parts[1]}.${parts[2]}`).digest();
  const given = Buffer.from(parts[3], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== parts[3]) return undefined;
  const payload = JSON.parse(Buffer.from(parts[2], 'base64url').toString('latin1')) as { u: string; e: number; r: string; g: string[] };
  return payload.e > nowSeconds && payload.r === RULES_HASH ? payload : undefined;
}

const groups = fc.subarray(['staff', 'admins', 'finance', 'other'], { maxLength: 3 });
const validCookie = fc.record({
  kid: fc.constantFrom(CURRENT_KID, PREVIOUS_KID),
  groups,
  exp: fc.integer({ min: NOW - 100, max: NOW + 100 }),
  username: fc.oneof(fc.constantFrom('alice', 'EntraID_bob@example.com'), fc.string({ minLength: 1, maxLength: 20 })),
}).map((m) => mint({ ...m, key: m.kid === CURRENT_KID ? CURRENT_KEY : PREVIOUS_KEY }));
const foreignCookie = fc.record({ kid: fc.constantFrom(CURRENT_KID, PREVIOUS_KID, OTHER_KID), groups }).map((m) => mint({ ...m, key: OTHER_KEY }));
const alteredCookie = fc.tuple(validCookie, fc.nat(), fc.constantFrom(...'AZaz09-_.x')).map(([v, i, c]) => {
  const at = i % v.length;
  return v.slice(0, at) + c + v.slice(at + 1);
});
const cookieValue = fc.oneof(
  { weight: 6, arbitrary: validCookie }, foreignCookie, alteredCookie,
  validCookie.chain((v) => fc.nat({ max: v.length }).map((n) => v.slice(0, n))),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^1\.k[0-9]\.[A-Za-z0-9_-]{4,60}\.[A-Za-z0-9_-]{43}$/),
);
const entry = (value: fc.Arbitrary<string>): fc.Arbitrary<{ value: string; multiValue?: Array<{ value: string }> }> => fc.oneof(
  { weight: 4, arbitrary: value.map((v) => ({ value: v })) },
  fc.array(value, { minLength: 2, maxLength: 3 }).map((vs) => ({ value: vs[0], multiValue: vs.map((v) => ({ value: v })) })),
);
const anyText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\r\n', '//evil.example', '/\\evil', 'https://evil.example', '%0d%0a', '"><script>', 'x'.repeat(900)));
const uri = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/', '/index.html', '/admin/x', '/public/a', '/reports/q.pdf', '/docs/a%20b') },
  { weight: 2, arbitrary: fc.constantFrom('/_auth/login', '/_auth', '//evil.example/x', '/\\evil', '/%2F%2Fevil', '/a/../admin/x') },
  { weight: 2, arbitrary: fc.constantFrom('/robots.txt', '/static/app.js', '/static/../admin/x', '/static/%2e%2e/admin', '/robots.txt/..', '/x/../_auth/login') },
  // Spellings built from segments that origins read in different ways.
  fc.array(fc.constantFrom('admin', 'static', 'public', 'x', '.', '..', '', '%2e%2e', '%2F', '%41', 'a;b', '\\', 'r%20s'), { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
  fc.webPath(), anyText,
);
const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'), fc.string({ maxLength: 8 })),
  uri,
  nav: fc.boolean(),
  query: fc.dictionary(fc.oneof(fc.constantFrom('return', 'q', 'a'), fc.string({ maxLength: 8 })), entry(anyText), { maxKeys: 3 }),
  session: fc.option(entry(cookieValue), { nil: undefined, freq: 4 }),
  extraCookies: fc.dictionary(fc.oneof(fc.constantFrom('theme', '__Host-CognitoEdgeAuth-rg', '__Secure-CognitoEdgeAuth-refresh'), fc.string({ maxLength: 10 })), entry(anyText), { maxKeys: 3 }),
  forged: fc.option(anyText, { nil: undefined }),
  storeError: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
  clock: fc.integer({ min: -200, max: 200 }),
});

const STATUSES = new Set([302, 400, 401, 403, 500, 503]);

test('never throws; never allows without a valid signature under a stored key; never redirects off-site', async () => {
  const seen = new Map<string, number>();
  const count = (kind: string): void => {
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
  };
  await fc.assert(fc.asyncProperty(request, async (r) => {
    const cookies: Record<string, { value: string; multiValue?: Array<{ value: string }> }> = { ...r.extraCookies };
    if (r.session !== undefined) cookies[SESSION] = r.session;
    const event = cfEvent({
      method: r.method,
      uri: r.uri,
      nav: r.nav,
      querystring: r.query,
      cookies,
      headers: r.forged === undefined ? {} : { [CONFIG.header]: { value: r.forged } },
    });
    fn.storeError = r.storeError;
    const now = NOW + r.clock;
    const result = await fn.invoke(event, now * 1000);

    if (isAnswer(result)) {
      count(String(result.statusCode));
      expect(STATUSES.has(result.statusCode)).toBe(true);
      expect(result.headers['cache-control']).toEqual({ value: 'no-store' });
      const location = result.headers.location?.value;
      expect(location !== undefined).toBe(result.statusCode === 302);
      if (location !== undefined) {
        // Either an auth route with a return path, or (design §4.9) the canonical spelling of the path itself.
        const m = /^(\/_auth\/login|\/_auth\/refresh)\?return=([A-Za-z0-9\-_.!~*'()%]*)$/.exec(location);
        const target = m === null ? location : decodeURIComponent(m[2]);
        // Not an auth route: the canonical spelling of the requested path (its query may follow).
        if (m === null) expect(target.split('?')[0]).toBe(canonicalPath(r.uri));
        expect(target).toMatch(/^\/[\x21-\x7e]*$/);
        expect(target.startsWith('//')).toBe(false);
        expect(target.startsWith('/\\')).toBe(false);
      }
      for (const h of Object.values(result.headers)) expect(h.value).not.toMatch(/[\r\n]/);
      return;
    }
    const forwarded = result as { uri: string; headers: Record<string, { value: string }>; cookies: Record<string, unknown> };
    const libraryCookies = Object.keys(forwarded.cookies).filter((n) => n.startsWith('__Host-CognitoEdgeAuth-') || n.startsWith('__Secure-CognitoEdgeAuth-'));
    // Every path rule sees the path as the origin will: what goes on is in canonical form.
    expect(canonicalPath(forwarded.uri)).toBe(forwarded.uri);
    expect(forwarded.uri).toBe(r.uri);
    if (isPublic(forwarded.uri)) {
      // A public path: no session needed, no store read, nothing of the library's reaches the origin.
      count('public');
      expect(fn.reads).toBe(0);
      expect(libraryCookies).toEqual([]);
      expect(forwarded.headers[CONFIG.header]).toBeUndefined();
      return;
    }
    // Let through: exactly one session cookie, proven by the oracle, for an allowed user.
    expect(r.storeError).toBe(false);
    expect(r.session !== undefined && r.session.multiValue === undefined).toBe(true);
    const proven = oracle(r.session!.value, now);
    expect(proven).toBeDefined();
    count('allow');
    const identity = { sub: 's', username: 'u', groups: proven!.g, exp: 0 } as unknown as Parameters<Authorizer['isAllowed']>[0];
    expect(authorizer.isAllowed(identity, forwarded.uri)).toBe(true);
    expect(libraryCookies).toEqual([]);
    // The identity header is the proven username (when it is a safe header value), never what the viewer sent.
    expect(forwarded.headers[CONFIG.header]?.value).toBe(/^[\x20-\x7e]{1,256}$/.test(proven!.u) ? proven!.u : undefined);
  }), { numRuns: 600 });
  // Every kind of answer, and allows, were reached.
  const missing = ['allow', 'public', '302', '400', '401', '403', '500', '503'].filter((kind) => !seen.has(kind));
  expect({ missing, seen: Object.fromEntries(seen) }).toEqual({ missing: [], seen: expect.anything() });
}, 120_000);

test('a valid cookie under either stored key, for a member, on a plain path, is let through (the property above is not vacuous)', async () => {
  let allowed = 0;
  await fc.assert(fc.asyncProperty(fc.constantFrom(CURRENT_KID, PREVIOUS_KID), fc.constantFrom('/', '/docs/a', '/public/x'), async (kid, path) => {
    const value = mint({ kid, key: kid === CURRENT_KID ? CURRENT_KEY : PREVIOUS_KEY, groups: ['staff'] });
    fn.storeError = false;
    const result = await fn.invoke(cfEvent({ uri: path, session: value }), NOW_MS);
    expect(isAnswer(result)).toBe(false);
    allowed++;
  }), { numRuns: 20 });
  expect(allowed).toBe(20);
});

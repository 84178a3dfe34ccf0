/**
 * Property-based tests (fast-check) over arbitrary viewer requests: headers, cookies, query, uri,
 * methods, and upstream behaviour. Properties: never throws, every Location is the hosted UI or
 * https://<allowed host>/…, no CR/LF in any header, small bodies, no planted secret in any output
 * or log line, the group decision agrees with an independent model of the rules, and mutating a
 * denied token never yields an allow.
 *
 * The generators lean towards the interesting region (an accepted host, a valid or nearly valid
 * session, paths under the rule patterns) and keep a share of arbitrary input; the distribution of
 * generated cases and of the handler's answers is printed (fast-check statistics) and has floors.
 */
import fc from 'fast-check';
import {
  AUTH_DOMAIN, baseConfig, cfEvent, COOKIE_PREFIX, DIST_DOMAIN, idToken, isResponse, jsonResponse, Result, testKey,
} from './helpers';
import { createHandler } from '../../lambda-src/edge-auth/handler';

const ALIAS = 'www.example.com';
const CLIENT_SECRET = 'PLANTED-client-secret-7f3a9c1e5b';
const STATE_SECRET = 'PLANTED-state-secret-2d8e4b6a0c';
const PLANTED_REFRESH = 'PLANTEDrefresh.eyJhbGciOiJSU0EtT0FFUCJ9.abc.def.ghi';
const PLANTED_CODE = 'PLANTEDcode-9b1f5d3e';
const VALID_ID = idToken({ 'cognito:groups': ['readers'] });
const ADMIN_ID = idToken({ 'cognito:groups': ['admins'], 'cognito:username': 'root' });
const EXPIRED_ID = idToken({ exp: Math.floor(Date.now() / 1000) - 100 });
const FRESH_ID = idToken({ jti: 'fresh' });
const SECRETS = [CLIENT_SECRET, STATE_SECRET, PLANTED_REFRESH, PLANTED_CODE];
const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;

/** The rules every property runs with: a global list, a stricter prefix, an open prefix, `*` inside a segment, `?`. */
const RULES = {
  requiredGroups: ['readers', 'admins'],
  pathRules: [
    { pathPattern: '/admin/*', requiredGroups: ['admins'] },
    { pathPattern: '/public/*', requiredGroups: [] },
    { pathPattern: '/reports/*.pdf', requiredGroups: ['finance', 'admins'] },
    { pathPattern: '/team-?/*', requiredGroups: ['team'] },
  ],
};

interface Session { readonly kind: 'valid' | 'near-valid'; readonly name: string; readonly token: string; readonly username?: string; readonly groups?: readonly string[] }
const nowSeconds = Math.floor(Date.now() / 1000);
/** Signed in (the token verifies): the user and their groups. */
const VALID_SESSIONS: Session[] = [
  { name: 'reader', groups: ['readers'], username: 'alice', token: VALID_ID },
  { name: 'admin', groups: ['admins'], username: 'root', token: ADMIN_ID },
  { name: 'finance', groups: ['finance'], username: 'fin' },
  { name: 'team', groups: ['team'], username: 'tm' },
  { name: 'finance+reader', groups: ['finance', 'readers'], username: 'fr' },
  { name: 'no groups', groups: [], username: 'nobody' },
].map((x) => ({
  ...x,
  kind: 'valid' as const,
  token: x.token ?? idToken({ 'cognito:groups': x.groups.length > 0 ? x.groups : undefined, 'cognito:username': x.username }),
}));
/** Nearly signed in: one claim or the signature wrong (each would be an admin). */
const NEAR_VALID_SESSIONS: Session[] = [
  { name: 'expired', token: idToken({ 'cognito:groups': ['admins'], 'exp': nowSeconds - 100 }) },
  { name: 'expires now', token: idToken({ 'cognito:groups': ['admins'], 'exp': nowSeconds }) },
  { name: 'bad signature', token: `${ADMIN_ID.slice(0, -8)}AAAAAAAA` },
  { name: 'other audience', token: idToken({ 'cognito:groups': ['admins'], 'aud': 'otherclient' }) },
  { name: 'other key', token: idToken({ 'cognito:groups': ['admins'] }, testKey('attacker-key'), { kid: 'unit-kid-1' }) },
  { name: 'access token', token: idToken({ 'cognito:groups': ['admins'], 'token_use': 'access' }) },
].map((x) => ({ ...x, kind: 'near-valid' as const }));
const TOKENS = [VALID_ID, ADMIN_ID, EXPIRED_ID, FRESH_ID, ...VALID_SESSIONS.map((x) => x.token), ...NEAR_VALID_SESSIONS.map((x) => x.token)];

type UpstreamMode = 'ok' | 'rotated' | '400' | '500' | 'invalid-json' | 'throw' | 'huge' | 'bad-token';
const upstreamModes: UpstreamMode[] = ['ok', 'rotated', '400', '500', 'invalid-json', 'throw', 'huge', 'bad-token'];

function fetchFor(mode: UpstreamMode) {
  return async (url: string): Promise<Response> => {
    if (url.endsWith('/oauth2/revoke')) return new Response('', { status: mode === 'ok' ? 200 : 400 });
    if (url.endsWith('/.well-known/jwks.json')) throw new TypeError('fetch failed');
    switch (mode) {
      case 'ok': return jsonResponse(200, { id_token: FRESH_ID, access_token: 'a.b.c', refresh_token: PLANTED_REFRESH });
      case 'rotated': return jsonResponse(200, { id_token: FRESH_ID, refresh_token: `${PLANTED_REFRESH}x` });
      case '400': return jsonResponse(400, { error: 'invalid_grant', error_description: CLIENT_SECRET });
      case '500': return new Response(`<html>${CLIENT_SECRET}</html>`, { status: 500 });
      case 'invalid-json': return new Response(`{"id_token":"${CLIENT_SECRET}`, { status: 200 });
      case 'huge': return new Response('x'.repeat(300_000), { status: 200 });
      case 'bad-token': return jsonResponse(200, { id_token: `${CLIENT_SECRET}\r\nSet-Cookie: a=b`, refresh_token: 'a\r\nb' });
      default: throw new TypeError('fetch failed');
    }
  };
}

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\r\n', '%0d%0a', '\u0000', '"><script>', '..', '//evil.example', '/\\evil', '%2F%2Fevil', 'https://evil.example', 'x'.repeat(9000)),
);
const cookieValue = fc.oneof(anyText, fc.constantFrom(...TOKENS, PLANTED_REFRESH, VALID_ID.slice(0, 3800), VALID_ID.slice(3800), '1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', '2', '99'));
const cookieName = fc.oneof(
  fc.constantFrom(ID, `${ID}.0`, `${ID}.1`, `${ID}.7`, REFRESH, `${COOKIE_PREFIX}n`, `${COOKIE_PREFIX}login.abcdEFGH`, `${COOKIE_PREFIX}login.`, 'theme', '__Host-other'),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 10 }).map((s) => `${COOKIE_PREFIX}login.${s}`),
);
const cookieHeaders = fc.array(
  fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 6 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; ')),
  { maxLength: 3 },
);
const queryValue = fc.oneof(anyText, fc.constantFrom(PLANTED_CODE, 'access_denied'), fc.string({ maxLength: 60 }).map((s) => Buffer.from(s).toString('base64url') + '.AAAA'));
const querystring = fc.oneof(
  anyText,
  fc.array(fc.tuple(fc.constantFrom('code', 'state', 'error', 'a', 'q', 'state'), queryValue), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
);
/**
 * A plain path that is already canonical (lower-case segments, no dot segments, no encoding):
 * mostly under a rule's pattern, some just outside one (`/team-ab/…`, `/reports/….html`, `/admin`).
 */
const segments = (minLength: number) => fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,7}$/), { minLength, maxLength: 3 }).map((xs) => xs.join('/'));
const extension = fc.constantFrom('', '.html', '.pdf', '.js');
const plainPath = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('/admin/', '/public/', '/team-a/'), segments(1), extension).map(([p, s, e]) => p + s + e) },
  { weight: 2, arbitrary: fc.tuple(segments(1), fc.constantFrom('.pdf', '.pdf', '.html')).map(([s, e]) => `/reports/${s}${e}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('/', '/team-ab/', '/docs/'), segments(1), extension).map(([p, s, e]) => p + s + e) },
  { weight: 1, arbitrary: fc.constantFrom('/', '/admin', '/public', '/admin.html', '/team-/x') },
);
const uri = fc.oneof(
  { weight: 5, arbitrary: plainPath },
  { weight: 1, arbitrary: fc.constantFrom('/', '/_auth/callback', '/_auth/signout', '/admin/x', '/index.html', '//evil.example/x', '/\\evil', '/%2F%2Fevil') },
  { weight: 1, arbitrary: anyText },
  { weight: 1, arbitrary: fc.webPath() },
);
const headerMap = fc.record({
  'accept': fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*'), anyText),
  'sec-fetch-mode': fc.oneof(fc.constantFrom('navigate', 'cors', 'no-cors'), anyText),
  'x-requested-with': anyText,
  'x-cognito-edge-auth-user': anyText,
}, { requiredKeys: [] });
/** A session cookie (valid or nearly), maybe with a refresh cookie and other cookies around it. */
const sessionCookies = fc.record({
  session: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALID_SESSIONS) }, { weight: 2, arbitrary: fc.constantFrom(...NEAR_VALID_SESSIONS) }),
  refresh: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(PLANTED_REFRESH, 'x') }),
  others: fc.array(fc.tuple(fc.constantFrom('theme', 'lang', '_ga'), fc.stringMatching(/^[A-Za-z0-9]{0,12}$/)), { maxLength: 2 }),
}).map(({ session, refresh, others }) => [[
  `${ID}=${session.token}`, ...(refresh === undefined ? [] : [`${REFRESH}=${refresh}`]), ...others.map(([n, v]) => `${n}=${v}`),
].join('; ')]);
const request = fc.record({
  method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'get') }, { weight: 1, arbitrary: anyText }),
  uri,
  querystring,
  host: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<string | string[] | null>(DIST_DOMAIN, ALIAS) },
    { weight: 1, arbitrary: fc.constantFrom<string | string[] | null>(DIST_DOMAIN.toUpperCase(), null, [DIST_DOMAIN, 'evil.example']) },
    { weight: 1, arbitrary: anyText },
  ),
  cookies: fc.oneof({ weight: 6, arbitrary: sessionCookies }, { weight: 3, arbitrary: cookieHeaders }),
  headers: headerMap,
  navigation: fc.boolean(),
  upstream: fc.constantFrom(...upstreamModes),
});

/** Independent model of the rules (design §3): CloudFront-style `*` (any run) and `?` (one character), first match wins. */
function globMatches(pattern: string, path: string): boolean {
  if (pattern.length === 0) return path.length === 0;
  if (pattern[0] === '*') {
    for (let i = 0; i <= path.length; i++) if (globMatches(pattern.slice(1), path.slice(i))) return true;
    return false;
  }
  return path.length > 0 && (pattern[0] === '?' || pattern[0] === path[0]) && globMatches(pattern.slice(1), path.slice(1));
}
function modelAllows(groups: readonly string[], path: string): boolean {
  const rule = RULES.pathRules.find((r) => globMatches(r.pathPattern, path));
  const required = rule ? rule.requiredGroups : RULES.requiredGroups;
  return required.length === 0 || required.some((g) => groups.includes(g));
}

/** `/a/b.html`: segments of unreserved characters, no empty or dot segments, nothing encoded. */
function isPlainPath(path: string): boolean {
  return path === '/' || /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)+$/.test(path);
}

/** Classes of generated requests, for the statistics. */
function classify(rq: { host: unknown; uri: string; cookies: string[] }): string {
  const host = rq.host === DIST_DOMAIN || rq.host === ALIAS ? 'accepted host' : 'other host';
  const cookie = rq.cookies.join('; ');
  const session = VALID_SESSIONS.some((x) => cookie.includes(`${ID}=${x.token}`)) ? 'valid session'
    : NEAR_VALID_SESSIONS.some((x) => cookie.includes(`${ID}=${x.token}`)) ? 'near-valid session' : 'no/junk session';
  const path = RULES.pathRules.some((r) => globMatches(r.pathPattern, rq.uri)) ? 'rule path' : 'other path';
  return `${host}, ${session}, ${path}`;
}

/** Print fast-check's statistics of `arb` (classified by `by`) into the test output. */
function printStatistics<T>(title: string, arb: fc.Arbitrary<T>, by: (v: T) => string): void {
  const lines: string[] = [];
  fc.statistics(arb, by, { numRuns: 2000, logger: (l) => lines.push(l) });
  console.log(`${title} (fast-check statistics, 2000 samples):\n${lines.join('\n')}`);
}

/** Counts of answer classes, printed after a property and checked against floors. */
class Tally {
  private readonly counts = new Map<string, number>();
  total = 0;
  add(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.total++;
  }
  share(kind: string): number {
    return (this.counts.get(kind) ?? 0) / this.total;
  }
  print(title: string): void {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${k.padEnd(28, '.')} ${(100 * n / this.total).toFixed(1)}% (${n})`);
    console.log(`${title} (${this.total} runs):\n${rows.join('\n')}`);
  }
}

function allHeaderText(r: Result, skipSetCookie: boolean): string[] {
  const out: string[] = [];
  for (const [name, entries] of Object.entries(r.headers ?? {})) {
    if (skipSetCookie && name === 'set-cookie') continue;
    for (const e of entries) out.push(name, e.key ?? '', e.value);
  }
  return out;
}

describe('arbitrary requests', () => {
  test('never throw, stay on site, no CR/LF, small bodies, nothing secret leaks; pass-through only for a verified, authorized identity', async () => {
    printStatistics('arbitrary requests: generated cases', request, classify);
    const answers = new Tally();
    await fc.assert(fc.asyncProperty(request, async (rq) => {
      const lines: string[] = [];
      const handler = createHandler(baseConfig({
        clientSecret: CLIENT_SECRET,
        stateSecret: STATE_SECRET,
        aliases: [ALIAS],
        ...RULES,
        upstreamTimeoutMs: 200,
      }), { fetch: fetchFor(rq.upstream), log: (l) => lines.push(l) });
      const event = cfEvent({ ...rq, headers: rq.headers as Record<string, string> });
      const result = await handler(event);
      answers.add(isResponse(result) ? `${result.status}` : 'pass-through');

      for (const line of lines) {
        expect(() => JSON.parse(line)).not.toThrow();
        for (const s of [...SECRETS, ...TOKENS]) expect(line).not.toContain(s);
      }

      if (isResponse(result)) {
        const status = Number(result.status);
        expect([200, 302, 400, 401, 403, 500, 502, 503]).toContain(status);
        expect(result.headers!['cache-control'][0].value).toBe('no-store');
        expect(result.headers!['referrer-policy'][0].value).toBe('no-referrer');
        for (const text of allHeaderText(result, false)) expect(text).not.toMatch(/[\r\n\u0000]/);
        expect(Buffer.byteLength(result.body ?? '')).toBeLessThan(4096);
        const visible = [result.body ?? '', ...allHeaderText(result, true)].join('\n');
        // A `code` query parameter is a secret on the callback; elsewhere it is just part of the
        // URL the browser asked for, which a refresh redirect repeats verbatim.
        const secrets = rq.uri === '/_auth/callback' ? SECRETS : SECRETS.filter((x) => x !== PLANTED_CODE);
        for (const s of [...secrets, ...TOKENS]) expect(visible).not.toContain(s);
        for (const c of result.headers!['set-cookie'] ?? []) {
          expect(c.value.startsWith(COOKIE_PREFIX)).toBe(true);
          for (const s of [CLIENT_SECRET, STATE_SECRET, PLANTED_CODE]) expect(c.value).not.toContain(s);
        }
        const loc = result.headers!.location?.[0]?.value;
        if (loc !== undefined) {
          expect(status).toBe(302);
          const url = new URL(loc);
          const onSite = url.protocol === 'https:' && [DIST_DOMAIN, ALIAS].includes(url.host) && url.pathname.startsWith('/');
          expect(onSite || url.origin === AUTH_DOMAIN).toBe(true);
          expect(loc.startsWith(`${AUTH_DOMAIN}/`) || loc.startsWith(`https://${DIST_DOMAIN}/`) || loc.startsWith(`https://${ALIAS}/`)).toBe(true);
        }
        const text = result.body ?? '';
        expect(text).not.toContain(baseConfig().clientId as string);
        expect(text).not.toContain(baseConfig().userPoolId as string);
      } else {
        // pass-through: only a verified identity gets here; uri and query untouched; no library cookie forwarded
        expect(result.uri).toBe(rq.uri);
        expect(result.querystring).toBe(rq.querystring);
        for (const h of result.headers.cookie ?? []) {
          for (const pair of h.value.split(';')) expect(pair.trim().startsWith(COOKIE_PREFIX)).toBe(false);
        }
        const user = result.headers['x-cognito-edge-auth-user'];
        expect(user).toHaveLength(1);
        const session = VALID_SESSIONS.find((x) => x.username === user[0].value);
        expect(session).toBeDefined();
        // On a plain, already-canonical path the rules see what the model sees.
        if (isPlainPath(rq.uri)) expect(modelAllows(session!.groups!, rq.uri)).toBe(true);
      }
    }), { numRuns: 400 });
    answers.print('arbitrary requests: answers');
    // The weighting reaches the interesting answers, not only the bad-host page. The shares vary
    // from run to run (400 random requests: pass-through about 11% ± 1.6%, 403 about 13%, 400 about
    // 40% ± 2.5%), so the bounds sit more than four standard deviations away from the mean: they
    // catch a generator that stopped reaching an answer, not an unlucky sample.
    expect(answers.share('pass-through')).toBeGreaterThan(0.04);
    expect(answers.share('403')).toBeGreaterThan(0.03);
    expect(answers.share('400')).toBeLessThan(0.52);
  });
});

describe('group rules', () => {
  const modelCase = fc.record({
    host: fc.constantFrom(DIST_DOMAIN, ALIAS),
    session: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...VALID_SESSIONS) },
      { weight: 2, arbitrary: fc.constantFrom(...NEAR_VALID_SESSIONS) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    path: plainPath,
    querystring: fc.constantFrom('', 'a=1', 'q=x%20y&page=2'),
    method: fc.constantFrom('GET', 'HEAD', 'POST'),
    navigation: fc.boolean(),
    others: fc.array(fc.tuple(fc.constantFrom('theme', 'lang', '_ga'), fc.stringMatching(/^[A-Za-z0-9]{0,12}$/)), { maxLength: 2 }),
  });

  test('on plain paths, the decision for every session agrees with an independent model of the rules', async () => {
    printStatistics('group rules: generated cases', modelCase, (c) => {
      const session = c.session === undefined ? 'no session' : c.session.kind === 'valid' ? 'valid session' : 'near-valid session';
      const rule = RULES.pathRules.find((r) => globMatches(r.pathPattern, c.path))?.pathPattern ?? 'no rule';
      return `${session}, ${rule}`;
    });
    const handler = createHandler(baseConfig({ aliases: [ALIAS], ...RULES }), { fetch: async () => { throw new TypeError('no network'); }, log: () => undefined });
    const answers = new Tally();
    await fc.assert(fc.asyncProperty(modelCase, async (c) => {
      const cookies = [[...(c.session ? [`${ID}=${c.session.token}`] : []), ...c.others.map(([n, v]) => `${n}=${v}`)].join('; ')].filter((h) => h.length > 0);
      const { host, path, querystring: qs, method, navigation: nav } = c;
      const result = await handler(cfEvent({ host, uri: path, querystring: qs, method, navigation: nav, cookies }));
      if (c.session?.kind === 'valid') {
        if (modelAllows(c.session.groups!, c.path)) {
          answers.add('allowed');
          expect(isResponse(result)).toBe(false);
          if (isResponse(result)) return;
          expect({ uri: result.uri, querystring: result.querystring }).toEqual({ uri: c.path, querystring: c.querystring });
          expect(result.headers['x-cognito-edge-auth-user']).toEqual([{ key: 'X-Cognito-Edge-Auth-User', value: c.session.username }]);
        } else {
          answers.add('denied');
          expect(isResponse(result) && result.status).toBe('403');
        }
      } else {
        // no verified identity: a navigation goes to the hosted UI, anything else gets 401
        const navigation = c.navigation && (c.method === 'GET' || c.method === 'HEAD');
        answers.add(navigation ? 'login' : 'unauthenticated');
        expect(isResponse(result) && result.status).toBe(navigation ? '302' : '401');
        if (navigation && isResponse(result)) expect(result.headers!.location[0].value.startsWith(`${AUTH_DOMAIN}/oauth2/authorize?`)).toBe(true);
      }
    }), { numRuns: 500 });
    answers.print('group rules: answers');
    for (const kind of ['allowed', 'denied', 'login', 'unauthenticated']) expect({ kind, share: answers.share(kind) > 0.05 }).toEqual({ kind, share: true });
  });

  test('the model itself: CloudFront-style patterns, first match wins, empty list means any signed-in user', () => {
    expect(['/', '/a/b.html', '/admin/x-1_y~z'].filter(isPlainPath)).toHaveLength(3);
    expect(['', 'a', '//a', '/a//b', '/a/', '/./a', '/a/..', '/a%20b', '/a b', '/a\\b'].filter(isPlainPath)).toEqual([]);
    expect(globMatches('/admin/*', '/admin/a/b.html')).toBe(true);
    expect(globMatches('/admin/*', '/admin')).toBe(false);
    expect(globMatches('/reports/*.pdf', '/reports/2026/q3.pdf')).toBe(true);
    expect(globMatches('/reports/*.pdf', '/reports/q3.pdf.html')).toBe(false);
    expect(globMatches('/team-?/*', '/team-a/x')).toBe(true);
    expect(globMatches('/team-?/*', '/team-ab/x')).toBe(false);
    expect(modelAllows([], '/public/x')).toBe(true);
    expect(modelAllows([], '/other')).toBe(false);
    expect(modelAllows(['readers'], '/admin/x')).toBe(false);
    expect(modelAllows(['admins'], '/reports/a.pdf')).toBe(true);
    expect(modelAllows(['readers'], '/reports/a.html')).toBe(true);
    expect(modelAllows(['team'], '/team-ab/x')).toBe(false);
  });
});

describe('callbacks of real logins', () => {
  test('with any upstream behaviour and junk around them: on-site redirects or small pages, no secret leaks', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...upstreamModes), uri.filter((u) => u.startsWith('/')), querystring.filter((q) => !q.includes('PLANTED')), cookieHeaders,
      fc.array(fc.tuple(fc.constantFrom('a', 'error_description', 'x'), queryValue), { maxLength: 3 }),
      async (mode, deepUri, deepQuery, junkCookies, extra) => {
        const lines: string[] = [];
        const cfg = baseConfig({ clientSecret: CLIENT_SECRET, stateSecret: STATE_SECRET, upstreamTimeoutMs: 200 });
        const handler = createHandler(cfg, { fetch: fetchFor(mode), log: (l) => lines.push(l) });
        const start = await handler(cfEvent({ uri: deepUri, querystring: deepQuery }));
        if (!isResponse(start) || start.status !== '302') return;
        const state = new URL(start.headers!.location[0].value).searchParams.get('state')!;
        const loginCookie = start.headers!['set-cookie'].map((c) => c.value.split(';')[0]).join('; ');
        const qs = [`code=${PLANTED_CODE}`, `state=${encodeURIComponent(state)}`, ...extra.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)].join('&');
        const result = await handler(cfEvent({ uri: '/_auth/callback', querystring: qs, cookies: [loginCookie, ...junkCookies] }));
        expect(isResponse(result)).toBe(true);
        if (!isResponse(result)) return;
        const loc = result.headers!.location?.[0]?.value;
        if (loc !== undefined) expect(loc.startsWith(`https://${DIST_DOMAIN}/`)).toBe(true);
        for (const text of allHeaderText(result, false)) expect(text).not.toMatch(/[\r\n]/);
        const visible = [result.body ?? '', ...allHeaderText(result, true)].join('\n');
        for (const x of [...SECRETS, ...TOKENS]) expect(visible).not.toContain(x);
        for (const line of lines) for (const x of [...SECRETS, ...TOKENS]) expect(line).not.toContain(x);
      },
    ), { numRuns: 200 });
  });
});

describe('token mutation', () => {
  const now = Math.floor(Date.now() / 1000);
  const denied: Array<[string, string]> = [
    ['valid signature, wrong group', idToken({ 'cognito:groups': ['readers'] })],
    ['expired', idToken({ 'cognito:groups': ['admins'], 'exp': now - 5 })],
    ['another client', idToken({ 'cognito:groups': ['admins'], 'aud': 'otherclient' })],
    ['access token', idToken({ 'cognito:groups': ['admins'], 'token_use': 'access' })],
    ['signed by another key', idToken({ 'cognito:groups': ['admins'] }, testKey('attacker-key'), { kid: 'unit-kid-1' })],
  ];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

  test.each(denied)('mutating any byte of a denied token (%s) never allows', async (_n, token) => {
    const handler = createHandler(baseConfig({ requiredGroups: ['admins'] }), { fetch: async () => { throw new TypeError('no'); }, log: () => undefined });
    expect(isResponse(await handler(cfEvent({ cookies: [`${ID}=${token}`] })))).toBe(true);
    await fc.assert(fc.asyncProperty(
      fc.nat({ max: token.length - 1 }),
      fc.constantFrom(...alphabet.split('')),
      fc.constantFrom<'replace' | 'insert' | 'delete'>('replace', 'insert', 'delete'),
      async (i, ch, op) => {
        const mutated = op === 'replace' ? token.slice(0, i) + ch + token.slice(i + 1)
          : op === 'insert' ? token.slice(0, i) + ch + token.slice(i) : token.slice(0, i) + token.slice(i + 1);
        const result = await handler(cfEvent({ cookies: [`${ID}=${mutated}`] }));
        expect(isResponse(result)).toBe(true);
      },
    ), { numRuns: 300 });
  });

  test('mutating any byte of an allowed token allows only when the decoded token is unchanged', async () => {
    const token = idToken({ 'cognito:groups': ['admins'] });
    const handler = createHandler(baseConfig({ requiredGroups: ['admins'] }), { fetch: async () => { throw new TypeError('no'); }, log: () => undefined });
    const decode = (t: string) => t.split('.').map((p) => Buffer.from(p, 'base64url').toString('hex')).join('.');
    await fc.assert(fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet.split('')), async (i, ch) => {
      const mutated = token.slice(0, i) + ch + token.slice(i + 1);
      const result = await handler(cfEvent({ cookies: [`${ID}=${mutated}`] }));
      if (!isResponse(result)) expect(decode(mutated) === decode(token) && /^[A-Za-z0-9_.-]+$/.test(mutated)).toBe(true);
    }), { numRuns: 300 });
  });
});

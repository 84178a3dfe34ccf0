/**
 * Property-based tests (fast-check) over arbitrary viewer requests: headers, cookies, query, uri,
 * methods, and upstream behaviour. Properties: never throws, answers in time, every Location is the
 * hosted UI or https://<allowed host>/…, no CR/LF in any header, small bodies, no planted secret
 * in any output or log line, and mutating a denied token never yields an allow.
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
const TOKENS = [VALID_ID, ADMIN_ID, EXPIRED_ID, FRESH_ID];
const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;

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
const uri = fc.oneof(
  fc.constantFrom('/', '/_auth/callback', '/_auth/signout', '/admin/x', '/index.html', '//evil.example/x', '/\\evil', '/%2F%2Fevil'),
  anyText,
  fc.webPath(),
);
const headerMap = fc.record({
  'accept': fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*'), anyText),
  'sec-fetch-mode': fc.oneof(fc.constantFrom('navigate', 'cors', 'no-cors'), anyText),
  'x-requested-with': anyText,
  'x-cognito-edge-auth-user': anyText,
}, { requiredKeys: [] });
const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'get'), anyText),
  uri,
  querystring,
  host: fc.oneof(fc.constantFrom<string | string[] | null>(DIST_DOMAIN, ALIAS, DIST_DOMAIN.toUpperCase(), null, [DIST_DOMAIN, 'evil.example']), anyText),
  cookies: cookieHeaders,
  headers: headerMap,
  navigation: fc.boolean(),
  upstream: fc.constantFrom(...upstreamModes),
});

function allHeaderText(r: Result, skipSetCookie: boolean): string[] {
  const out: string[] = [];
  for (const [name, entries] of Object.entries(r.headers ?? {})) {
    if (skipSetCookie && name === 'set-cookie') continue;
    for (const e of entries) out.push(name, e.key ?? '', e.value);
  }
  return out;
}

describe('arbitrary requests', () => {
  test('never throw, answer in time, stay on site, no CR/LF, small bodies, nothing secret leaks', async () => {
    await fc.assert(fc.asyncProperty(request, async (rq) => {
      const lines: string[] = [];
      const handler = createHandler(baseConfig({
        clientSecret: CLIENT_SECRET,
        stateSecret: STATE_SECRET,
        aliases: [ALIAS],
        requiredGroups: ['readers', 'admins'],
        pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }],
        upstreamTimeoutMs: 200,
      }), { fetch: fetchFor(rq.upstream), log: (l) => lines.push(l) });
      const event = cfEvent({ ...rq, headers: rq.headers as Record<string, string> });
      const t0 = Date.now();
      const result = await handler(event);
      expect(Date.now() - t0).toBeLessThan(2000);

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
        expect(['alice', 'root']).toContain(user[0].value);
      }
    }), { numRuns: 400 });
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

/**
 * The built viewer function (scripts/bundle.ts settings, configuration written in the way the
 * construct writes it) running in the runtime-2.0 sandbox: every answer of design §7.
 */
import {
  asAnswer, asForwarded, cfEvent, CONFIG, CURRENT_KEY, CURRENT_KID, GUARD, mint, NOW, NOW_MS, OTHER_KEY, OTHER_KID,
  PREVIOUS_KEY, PREVIOUS_KID, RULES, SESSION, viewer,
} from './helpers';
import { rulesHash, sessionKeyName } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig } from '../../lambda-src/shared/viewer-config';
import type { Sandbox } from '../support/cloudfront-functions-sandbox';

let fn: Sandbox;
beforeAll(async () => {
  fn = await viewer();
}, 60_000);
beforeEach(() => {
  fn.storeError = false;
});

const run = (event: Record<string, unknown>, nowMs = NOW_MS): Promise<unknown> => fn.invoke(event, nowMs);

function returnOf(location: string, route: string): string {
  expect(location.startsWith(`${route}?return=`)).toBe(true);
  return decodeURIComponent(location.slice(route.length + '?return='.length));
}

describe('a valid session', () => {
  test('a member: the request goes on unchanged but for the library cookies (removed) and the identity header (set)', async () => {
    const result = asForwarded(await run(cfEvent({
      uri: '/docs/a.html',
      querystring: { q: { value: 'x' } },
      session: mint({ username: 'alice' }),
      cookies: { 'theme': { value: 'dark' }, [GUARD]: { value: '1' }, '__Secure-CognitoEdgeAuth-refresh': { value: 'r' }, '__Host-CognitoEdgeAuth-id.0': { value: 'old' } },
    })));
    expect(result.uri).toBe('/docs/a.html');
    expect(result.querystring).toEqual({ q: { value: 'x' } });
    expect(result.cookies).toEqual({ theme: { value: 'dark' } });
    expect(result.headers[CONFIG.header]).toEqual({ value: 'alice' });
    expect(result.headers.host).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
    expect(result.headers.accept).toEqual({ value: 'application/json' });
    expect(result.method).toBe('GET');
    expect(fn.reads).toBe(1);
  });

  test('an identity header sent by the viewer never reaches the origin: replaced on an allow, removed otherwise', async () => {
    const forged = { [CONFIG.header]: { value: 'root' } };
    const allowed = asForwarded(await run(cfEvent({ headers: forged, session: mint({ username: 'bob' }) })));
    expect(allowed.headers[CONFIG.header]).toEqual({ value: 'bob' });
    // An unsafe username is not forwarded at all (and the forged one is still gone).
    const unsafe = asForwarded(await run(cfEvent({ headers: forged, session: mint({ username: 'b\u00f6b' }) })));
    expect(unsafe.headers[CONFIG.header]).toBeUndefined();
  });

  test('the previous key still verifies its cookies (rotation)', async () => {
    const result = asForwarded(await run(cfEvent({ session: mint({ kid: PREVIOUS_KID, key: PREVIOUS_KEY }) })));
    expect(result.headers[CONFIG.header]).toEqual({ value: 'alice' });
  });

  test('group rules on the path: first matching rule, else requiredGroups; 403 for non-members', async () => {
    const cases: Array<[string, string[], boolean]> = [
      ['/index.html', ['staff'], true],
      ['/index.html', [], false],
      ['/admin/users', ['staff'], false],
      ['/admin/users', ['admins'], true],
      ['/public/x', [], true],
      ['/reports/q1.pdf', ['finance'], true],
      ['/reports/q1.pdf', ['staff'], false],
      ['/reports/q1.html', ['staff'], true],
    ];
    for (const [uri, groups, allowed] of cases) {
      const result = await run(cfEvent({ uri, session: mint({ groups }) }));
      if (allowed) asForwarded(result);
      else expect(asAnswer(result).statusCode).toBe(403);
    }
  });

  test('403: an HTML page with a sign-out link for a navigation, JSON otherwise; no-store', async () => {
    const page = asAnswer(await run(cfEvent({ nav: true, uri: '/admin/', session: mint() })));
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type'].value).toMatch(/^text\/html/);
    expect(page.body!.data).toContain(`href="${CONFIG.signOut}"`);
    expect(page.headers['cache-control']).toEqual({ value: 'no-store' });
    const json = asAnswer(await run(cfEvent({ uri: '/admin/', session: mint() })));
    expect(json.statusCode).toBe(403);
    expect(JSON.parse(json.body!.data)).toEqual({ error: 'forbidden' });
    expect(json.headers['cache-control']).toEqual({ value: 'no-store' });
  });
});

describe('no valid session', () => {
  const refused = (): Array<[string, string | undefined]> => {
    const good = mint();
    const [, kid, payload, tag] = good.split('.');
    return [
      ['no cookie', undefined],
      ['garbage', 'not-a-session'],
      ['truncated', good.slice(0, -5)],
      ['altered payload', `1.${kid}.${payload.slice(0, -2)}AA.${tag}`],
      ['re-signed with a foreign key under a known key id', mint({ key: OTHER_KEY, groups: ['admins'] })],
      ['another key id\'s tag', `1.${PREVIOUS_KID}.${payload}.${tag}`],
      ['oversized', `1.${kid}.${'A'.repeat(5000)}.${tag}`],
    ];
  };

  test.each(refused())('%s: a navigation gets a 302 to the login route with the path and query to return to', async (_name, session) => {
    const answer = asAnswer(await run(cfEvent({ nav: true, uri: '/docs/a%20b', querystring: { q: { value: '1' }, r: { value: '', multiValue: [{ value: '' }, { value: 'x%20y' }] } }, session })));
    expect(answer.statusCode).toBe(302);
    expect(returnOf(answer.headers.location.value, CONFIG.login)).toBe('/docs/a%20b?q=1&r&r=x%20y');
    expect(answer.headers['cache-control']).toEqual({ value: 'no-store' });
    expect(answer.cookies).toBeUndefined();
  });

  test.each(refused())('%s: fetch/XHR gets 401 JSON naming the refresh route', async (_name, session) => {
    const answer = asAnswer(await run(cfEvent({ session })));
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body!.data)).toEqual({ error: 'unauthenticated', refresh: CONFIG.refresh });
    expect(answer.headers['content-type']).toEqual({ value: 'application/json' });
    expect(answer.headers['cache-control']).toEqual({ value: 'no-store' });
  });

  test('a session cookie name that arrives twice means no session, even when both values are valid', async () => {
    const value = mint();
    const answer = asAnswer(await run(cfEvent({ cookies: { [SESSION]: { value, multiValue: [{ value }, { value }] } } })));
    expect(answer.statusCode).toBe(401);
    expect(fn.reads).toBe(0);
  });

  test('navigation is what design §2 says: GET/HEAD with Sec-Fetch-Mode navigate, or without Sec-Fetch-Mode and Accept text/html; never XHR', async () => {
    const cases: Array<[Record<string, { value: string }>, string, number]> = [
      [{ 'sec-fetch-mode': { value: 'navigate' } }, 'GET', 302],
      [{ 'sec-fetch-mode': { value: 'navigate' } }, 'HEAD', 302],
      [{ 'sec-fetch-mode': { value: 'navigate' } }, 'POST', 401],
      [{ 'sec-fetch-mode': { value: 'cors' }, 'accept': { value: 'text/html' } }, 'GET', 401],
      [{ accept: { value: 'text/html' } }, 'GET', 302],
      [{ 'accept': { value: 'text/html' }, 'x-requested-with': { value: 'XMLHttpRequest' } }, 'GET', 401],
    ];
    for (const [headers, method, status] of cases) {
      const event = cfEvent({ method, headers });
      const request = event.request as { headers: Record<string, unknown> };
      if (!('sec-fetch-mode' in headers)) delete request.headers['sec-fetch-mode'];
      if (!('accept' in headers)) delete request.headers.accept;
      expect(asAnswer(await run(event)).statusCode).toBe(status);
    }
  });
});

describe('an expired session (validly signed)', () => {
  const expired = (): string => mint({ exp: NOW - 1 });

  test('GET/HEAD: 302 to the refresh route with the return path, and the loop guard counts', async () => {
    for (const method of ['GET', 'HEAD']) {
      for (const nav of [true, false]) {
        const answer = asAnswer(await run(cfEvent({ method, nav, uri: '/app/data.json', querystring: { page: { value: '2' } }, session: expired() })));
        expect(answer.statusCode).toBe(302);
        expect(returnOf(answer.headers.location.value, CONFIG.refresh)).toBe('/app/data.json?page=2');
        expect(answer.cookies).toEqual({ [GUARD]: { value: '1', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60' } });
        expect(answer.headers['cache-control']).toEqual({ value: 'no-store' });
      }
    }
    const again = asAnswer(await run(cfEvent({ session: expired(), cookies: { [GUARD]: { value: '1' } } })));
    expect(again.statusCode).toBe(302);
    expect(again.cookies![GUARD].value).toBe('2');
  });

  test('the loop guard: a browser back expired twice within a minute gets 401, not a third redirect', async () => {
    const page = asAnswer(await run(cfEvent({ nav: true, session: expired(), cookies: { [GUARD]: { value: '2' } } })));
    expect(page.statusCode).toBe(401);
    expect(page.headers.location).toBeUndefined();
    expect(page.body!.data).toContain(`href="${CONFIG.login}?return=%2Findex.html"`);
    const json = asAnswer(await run(cfEvent({ session: expired(), cookies: { [GUARD]: { value: '7' } } })));
    expect(json.statusCode).toBe(401);
    expect(JSON.parse(json.body!.data)).toEqual({ error: 'unauthenticated', refresh: CONFIG.refresh });
  });

  test('other methods: 401 JSON naming the refresh route', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = asAnswer(await run(cfEvent({ method, nav: true, session: expired() })));
      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body!.data)).toEqual({ error: 'unauthenticated', refresh: CONFIG.refresh });
    }
  });

  test('a cookie minted under another rule set counts as expired (refresh, not login and not 403)', async () => {
    const stale = mint({ rulesHash: rulesHash({ requiredGroups: ['old'] }), groups: ['old'] });
    const answer = asAnswer(await run(cfEvent({ nav: true, uri: '/admin/', session: stale })));
    expect(answer.statusCode).toBe(302);
    expect(returnOf(answer.headers.location.value, CONFIG.refresh)).toBe('/admin/');
  });

  test('Date is frozen per invocation: the same cookie is valid a second before exp and expired at exp', async () => {
    const value = mint({ exp: NOW + 30 });
    asForwarded(await run(cfEvent({ session: value }), (NOW + 29) * 1000));
    expect(asAnswer(await run(cfEvent({ session: value }), (NOW + 30) * 1000)).statusCode).toBe(302);
  });
});

describe('the key store', () => {
  test('an unknown key id: 503 with Retry-After, never a redirect', async () => {
    for (const nav of [true, false]) {
      const answer = asAnswer(await run(cfEvent({ nav, session: mint({ kid: OTHER_KID, key: OTHER_KEY }) })));
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toEqual({ value: '10' });
      expect(answer.headers.location).toBeUndefined();
      expect(answer.headers['cache-control']).toEqual({ value: 'no-store' });
    }
  });

  test('a store error: 503 with Retry-After', async () => {
    fn.storeError = true;
    const answer = asAnswer(await run(cfEvent({ session: mint() })));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toEqual({ value: '10' });
    expect(JSON.parse(answer.body!.data)).toEqual({ error: 'unavailable' });
  });

  test('a malformed key in the store: 503, nothing verified with it', async () => {
    const broken = await viewer(CONFIG, { [sessionKeyName(CURRENT_KID)]: 'too-short' });
    expect(asAnswer(await broken.invoke(cfEvent({ session: mint() }), NOW_MS)).statusCode).toBe(503);
  });

  test('one store read per request with a cookie, none without', async () => {
    await run(cfEvent({ session: mint() }));
    expect(fn.reads).toBe(1);
    await run(cfEvent({}));
    expect(fn.reads).toBe(0);
    expect(fn.store.get(sessionKeyName(CURRENT_KID))).toBe(CURRENT_KEY);
  });
});

describe('paths', () => {
  test('a path under the auth prefix is answered 500, never redirected, whatever the session', async () => {
    for (const uri of ['/_auth/login', '/_auth/refresh', '/_auth/', '/_auth', '/_auth/x/y']) {
      for (const session of [undefined, mint(), mint({ exp: NOW - 1 })]) {
        const answer = asAnswer(await run(cfEvent({ nav: true, uri, session })));
        expect(answer.statusCode).toBe(500);
        expect(answer.headers.location).toBeUndefined();
      }
    }
  });

  test('another auth prefix and cookie prefix are honoured', async () => {
    const config = buildViewerConfig({ ...RULES, authPrefix: '/auth/', cookieNamePrefix: 'Acme' });
    const other = await viewer(config);
    const answer = asAnswer(await other.invoke(cfEvent({ nav: true, uri: '/x' }), NOW_MS));
    expect(answer.headers.location.value).toBe('/auth/login?return=%2Fx');
    expect(asAnswer(await other.invoke(cfEvent({ uri: '/auth/refresh' }), NOW_MS)).statusCode).toBe(500);
    const result = asForwarded(await other.invoke(cfEvent({ cookies: { '__Host-Acme-s': { value: mint() }, '__Host-CognitoEdgeAuth-s': { value: 'x' } } }), NOW_MS));
    expect(Object.keys(result.cookies)).toEqual(['__Host-CognitoEdgeAuth-s']);
  });
});

describe('robustness', () => {
  test('malformed events: 400, never a throw', async () => {
    for (const event of [undefined, null, 42, 'x', [], {}, { request: null }, { request: { method: 'GET', uri: '/' } }, { request: { method: 1, uri: '/', headers: {}, cookies: {}, querystring: {} } }]) {
      const answer = asAnswer(await fn.invoke(event, NOW_MS));
      expect(answer.statusCode).toBe(400);
      expect(answer.headers['cache-control']).toEqual({ value: 'no-store' });
    }
  });

  test('entries of an unexpected shape: 500, never a throw', async () => {
    const event = cfEvent({ session: mint() });
    (event.request as { cookies: unknown }).cookies = { [SESSION]: null };
    expect(asAnswer(await fn.invoke(event, NOW_MS)).statusCode).toBe(500);
  });

  test('the sandbox offers only what runtime 2.0 offers', () => {
    for (const name of ['Buffer', 'process', 'require("fs")', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'TextEncoder', 'TextDecoder', 'atob', 'Map', 'Set', 'Symbol', 'Proxy', 'Reflect', 'WebAssembly']) {
      expect(() => fn.evaluate(`(${name}).constructor`)).toThrow();
    }
    expect(() => fn.evaluate('eval("1")')).toThrow();
    expect(() => fn.evaluate('new Function("return 1")')).toThrow();
    expect(() => fn.evaluate('require("crypto").createHash("sha512")')).toThrow(/not supported/);
    expect(() => fn.evaluate('require("crypto").randomBytes')).not.toThrow();
    expect(fn.evaluate('typeof require("crypto").randomBytes')).toBe('undefined');
    expect(fn.evaluate('require("crypto").createHmac("sha256", "k").update("x").digest("base64url")')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('the sandbox freezes Date at the invocation\'s start', async () => {
    await fn.invoke(cfEvent({}), NOW_MS + 1234);
    expect(fn.evaluate('Date.now()')).toBe(NOW_MS + 1234);
    expect(fn.evaluate('new Date().getTime()')).toBe(NOW_MS + 1234);
    expect(fn.evaluate('new Date(0).getTime()')).toBe(0);
  });
});

test('the keys never appear in any answer', async () => {
  const answers = await Promise.all([
    run(cfEvent({ nav: true, session: mint({ exp: NOW - 1 }) })),
    run(cfEvent({ session: mint({ kid: OTHER_KID }) })),
    run(cfEvent({ nav: true, uri: '/admin/', session: mint() })),
  ]);
  const text = JSON.stringify(answers);
  for (const key of [CURRENT_KEY, PREVIOUS_KEY]) expect(text).not.toContain(key);
});

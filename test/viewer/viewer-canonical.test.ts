/**
 * The canonical-path rule (design §4.9) and public paths in the built viewer function: the
 * Lambda@Edge handler's own rule (lambda-src/shared/canonical-path.ts), with the same answers.
 * - With path rules or public paths, a path that is not canonical is never decided on or
 *   forwarded as sent: a navigation gets a 302 to the canonical spelling (query kept), anything
 *   else, and a path without a canonical form, a 400 — before any session check or store read.
 * - Without either, every path needs the same groups: the path is decided on its canonical form
 *   and forwarded as sent (as the Lambda@Edge handler does, so odd S3 keys keep working); only a
 *   spelling of an auth route is still redirected (or refused), since CloudFront routes the
 *   canonical URL to the auth behaviour.
 * - Public paths match the canonical path, need no session and no store read; the library's
 *   cookies and any inbound identity header never reach the origin.
 */
import { asAnswer, asForwarded, cfEvent, CONFIG, mint, NOW_MS, RULES, viewer } from './helpers';
import { rulesHash } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig } from '../../lambda-src/shared/viewer-config';
import type { Sandbox } from '../support/cloudfront-functions-sandbox';

const OPEN_RULES = { requiredGroups: ['staff'] };
/** A session minted under the rules of the configuration without path rules. */
const openSession = (groups = ['staff']): string => mint({ groups, rulesHash: rulesHash(OPEN_RULES) });

let strict: Sandbox;
let open: Sandbox;
beforeAll(async () => {
  strict = await viewer();
  open = await viewer(buildViewerConfig(OPEN_RULES));
}, 60_000);

describe('with path rules and public paths (the test configuration)', () => {
  test.each([
    ['/public/../admin/x', '/admin/x'],
    ['/admin//x', '/admin/x'],
    ['/%61dmin/x', '/admin/x'],
    ['/admin%2Fx', '/admin/x'],
    ['/admin\\x', '/admin/x'],
    ['/./admin', '/admin'],
    ['/static/%2e%2e/admin', '/admin'],
    ['/robots.txt/..', '/'],
  ])('a navigation to %s gets a 302 to %s (query kept), before any session check', async (uri, canonical) => {
    const answer = asAnswer(await strict.invoke(cfEvent({ nav: true, uri, querystring: { a: { value: '1' } }, session: mint() }), NOW_MS));
    expect(answer.statusCode).toBe(302);
    expect(answer.headers.location.value).toBe(`${canonical}?a=1`);
    expect(answer.headers['cache-control'].value).toBe('no-store');
    expect(strict.reads).toBe(0);
  });

  test('anything else gets 400, and so does a path without a canonical form', async () => {
    for (const uri of ['/public/../admin/x', '/admin//x', '/%61dmin/x']) {
      expect(asAnswer(await strict.invoke(cfEvent({ uri, session: mint() }), NOW_MS)).statusCode).toBe(400);
    }
    for (const uri of ['/a%zz', '/a;b', '/a%00', '/a%252F', 'relative', '/a b']) {
      expect(asAnswer(await strict.invoke(cfEvent({ nav: true, uri, session: mint() }), NOW_MS)).statusCode).toBe(400);
    }
    expect(strict.reads).toBe(0);
  });

  test('a canonical path with escapes that must stay is decided on as sent', async () => {
    const result = asForwarded(await strict.invoke(cfEvent({ uri: '/files/na%C3%AFve%20name.txt', session: mint() }), NOW_MS));
    expect(result.uri).toBe('/files/na%C3%AFve%20name.txt');
  });

  test('a spelling of an auth route is sent to the auth route (CloudFront routes it to the auth behaviour)', async () => {
    const answer = asAnswer(await strict.invoke(cfEvent({ nav: true, uri: '/x/../_auth/login' }), NOW_MS));
    expect(answer.headers.location.value).toBe('/_auth/login');
  });

  test('public paths: no session needed, no store read, the library\'s cookies and the identity header removed', async () => {
    for (const uri of ['/robots.txt', '/static/app.js', '/static/']) {
      const result = asForwarded(await strict.invoke(cfEvent({
        uri,
        headers: { [CONFIG.header]: { value: 'mallory' } },
        cookies: { '__Secure-CognitoEdgeAuth-refresh': { value: 'r' }, 'theme': { value: 'dark' } },
      }), NOW_MS));
      expect(result.uri).toBe(uri);
      expect(Object.keys(result.cookies)).toEqual(['theme']);
      expect(result.headers[CONFIG.header]).toBeUndefined();
      expect(strict.reads).toBe(0);
    }
    // Also for a signed-in non-member: a public path is public.
    asForwarded(await strict.invoke(cfEvent({ uri: '/robots.txt', session: mint({ groups: ['other'] }) }), NOW_MS));
  });

  test.each(['/robots.txtx', '/robots.txt/x', '/static', '/statics/x', '/admin'])('%s is not public: a navigation without a session is sent to sign in', async (uri) => {
    const answer = asAnswer(await strict.invoke(cfEvent({ nav: true, uri }), NOW_MS));
    expect(answer.headers.location.value).toBe(`/_auth/login?return=${encodeURIComponent(uri)}`);
  });
});

describe('without path rules or public paths', () => {
  test('a non-canonical path is decided on its canonical form and forwarded as sent', async () => {
    for (const uri of ['/docs//a', '/%61/b', '/a/./b', '/a%2Fb', '/a%zz', '/a;b']) {
      const result = asForwarded(await open.invoke(cfEvent({ nav: true, uri, session: openSession() }), NOW_MS));
      expect(result.uri).toBe(uri);
      expect(result.headers[CONFIG.header]).toEqual({ value: 'alice' });
      expect(asAnswer(await open.invoke(cfEvent({ nav: true, uri, session: openSession(['other']) }), NOW_MS)).statusCode).toBe(403);
    }
  });

  test('without a session the login return path is the canonical one', async () => {
    const answer = asAnswer(await open.invoke(cfEvent({ nav: true, uri: '/docs//a' }), NOW_MS));
    expect(answer.headers.location.value).toBe('/_auth/login?return=%2Fdocs%2Fa');
  });

  test('a spelling of an auth route is still never forwarded: 302 to it for a navigation, else 400; 500 under the prefix', async () => {
    expect(asAnswer(await open.invoke(cfEvent({ nav: true, uri: '/x/../_auth/refresh' }), NOW_MS)).headers.location.value).toBe('/_auth/refresh');
    expect(asAnswer(await open.invoke(cfEvent({ uri: '/_auth%2Flogin' }), NOW_MS)).statusCode).toBe(400);
    expect(asAnswer(await open.invoke(cfEvent({ nav: true, uri: '/_auth/%zz', session: openSession() }), NOW_MS)).statusCode).toBe(500);
  });

  test('the same configuration with rules is strict (the switch is the presence of rules or public paths)', async () => {
    const withPublic = await viewer(buildViewerConfig({ ...OPEN_RULES, publicPaths: ['/robots.txt'] }));
    expect(asAnswer(await withPublic.invoke(cfEvent({ uri: '/docs//a', session: openSession() }), NOW_MS)).statusCode).toBe(400);
    asForwarded(await withPublic.invoke(cfEvent({ uri: '/docs/a', session: openSession() }), NOW_MS));
    const withRules = await viewer(buildViewerConfig({ ...RULES }));
    expect(asAnswer(await withRules.invoke(cfEvent({ uri: '/docs//a', session: mint() }), NOW_MS)).statusCode).toBe(400);
  });
});

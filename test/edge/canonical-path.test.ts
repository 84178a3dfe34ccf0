/**
 * One path, one decision (design §4.9): unit tests of the canonicalizer, and of the handler on the
 * issue's bypass examples with the README's rules (`requiredGroups: ['staff']`, `/admin/*` needs
 * `admins`, `/public/*` any signed-in user).
 */
import {
  asRequest, asResponse, baseConfig, cfEvent, COOKIE_PREFIX, DIST_DOMAIN, idToken, location,
} from './helpers';
import { canonicalPath, isCanonicalFast } from '../../lambda-src/edge-auth/canonical-path';
import { createHandler, EdgeHandler } from '../../lambda-src/edge-auth/handler';

describe('canonicalPath', () => {
  test.each([
    ['/', '/'],
    ['/index.html', '/index.html'],
    ['/a/b/', '/a/b/'],
    ["/a-b_c.d~e/!$&'()*+,=:@", "/a-b_c.d~e/!$&'()*+,=:@"],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/...', '/a/...'],
    ['/My%20Docs/caf%C3%A9.pdf', '/My%20Docs/caf%C3%A9.pdf'],
    ['/%25', '/%25'],
  ])('%s is already canonical', (path, expected) => {
    expect(canonicalPath(path)).toBe(expected);
  });

  test.each([
    // the issue's examples: all read as /admin/secret.html by S3, nginx, Apache or IIS
    ['/%61dmin/secret.html', '/admin/secret.html'],
    ['//admin/secret.html', '/admin/secret.html'],
    ['/./admin/secret.html', '/admin/secret.html'],
    ['/public/../admin/secret.html', '/admin/secret.html'],
    ['/public/%2e%2e/admin/secret.html', '/admin/secret.html'],
    ['/admin%2Fsecret.html', '/admin/secret.html'],
    ['/%5Cadmin/secret.html', '/admin/secret.html'],
    // more spellings
    ['/admin%2fsecret.html', '/admin/secret.html'],
    ['/\\admin\\secret.html', '/admin/secret.html'],
    ['/admin/./secret.html', '/admin/secret.html'],
    ['/admin/x/%2E./secret.html', '/admin/secret.html'],
    ['/admin/x/.%2e/secret.html', '/admin/secret.html'],
    ['/%41%44MIN', '/ADMIN'],
    ['/%7e%2D%5F', '/~-_'],
    ['/%21%24%26%27%28%29%2A%2B%2C%3D%3A%40', "/!$&'()*+,=:@"],
    ['/a///b////', '/a/b/'],
    ['/a/.', '/a/'],
    ['/a/b/..', '/a/'],
    ['/a/..', '/'],
    ['/..', '/'],
    ['/../../admin', '/admin'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/x%3fy%23z', '/x%3Fy%23z'],
    ['/a"b<c>d`e{f}g|h^i[j]k', '/a%22b%3Cc%3Ed%60e%7Bf%7Dg%7Ch%5Ei%5Bj%5Dk'],
  ])('%s → %s', (path, expected) => {
    expect(canonicalPath(path)).toBe(expected);
    expect(canonicalPath(expected)).toBe(expected);
  });

  test.each([
    ['malformed escape', '/a%zz'],
    ['truncated escape', '/a%4'],
    ['lone %', '/a%'],
    ['IIS %u escape', '/%u0061dmin'],
    ['encoded NUL', '/admin%00.html'],
    ['encoded CR/LF', '/a%0d%0aSet-Cookie:x'],
    ['encoded DEL', '/a%7F'],
    ['raw control character', '/a\u0001b'],
    ['raw space', '/a b'],
    ['raw non-ASCII', '/café'],
    ['overlong UTF-8 "/"', '/%C0%AFadmin'],
    ['truncated UTF-8', '/caf%C3'],
    ['UTF-8 surrogate', '/%ED%A0%80'],
    ['double-encoded "/"', '/public%252F..%252Fadmin'],
    ['double-encoded "a"', '/%2561dmin'],
    ['double encoding built from escapes', '/%25%32%46admin'],
    ['path parameter', '/admin;jsessionid=1/secret.html'],
    ['encoded path parameter', '/admin%3Bx/secret.html'],
    ['empty', ''],
    ['relative', 'admin/secret.html'],
    ['too long', `/${'a/'.repeat(5000)}.`],
  ])('%s has no canonical form', (_name, path) => {
    expect(canonicalPath(path)).toBeUndefined();
  });

  test('the fast test passes ordinary paths and flags every path that needs work', () => {
    for (const p of ['/', '/index.html', '/assets/app.3f2a1b.js', '/a/b/c/', "/x-y_z~!$&'()*+,=:@"]) expect(isCanonicalFast(p)).toBe(true);
    for (const p of ['//a', '/./a', '/a/..', '/.well-known', '/%61', '/a\\b', '/a;b', '/a b', '/a"b', 'a', '']) expect(isCanonicalFast(p)).toBe(false);
  });
});

const ID = `${COOKIE_PREFIX}id`;
const README_RULES = {
  requiredGroups: ['staff'],
  pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/public/*', requiredGroups: [] }],
};

function build(config: Record<string, unknown> = README_RULES, lines: string[] = []): EdgeHandler {
  return createHandler(baseConfig(config), { fetch: async () => { throw new TypeError('no network'); }, log: (l) => lines.push(l) });
}

const staff = [`${ID}=${idToken({ 'cognito:groups': ['staff'] })}`];
const admin = [`${ID}=${idToken({ 'cognito:groups': ['staff', 'admins'] })}`];

const BYPASSES = [
  '/%61dmin/secret.html',
  '//admin/secret.html',
  '/./admin/secret.html',
  '/public/../admin/secret.html',
  '/public/%2e%2e/admin/secret.html',
  '/admin%2Fsecret.html',
  '/%5Cadmin/secret.html',
];

describe('path rules decide on the canonical path (README rules)', () => {
  test('the canonical path: staff gets 403, an admin is forwarded', async () => {
    const h = build();
    expect(asResponse(await h(cfEvent({ uri: '/admin/secret.html', cookies: staff }))).status).toBe('403');
    expect(asRequest(await h(cfEvent({ uri: '/admin/secret.html', cookies: admin }))).uri).toBe('/admin/secret.html');
  });

  test.each(BYPASSES)('%s: a staff non-admin is never forwarded; a navigation gets a 302 to the canonical URL (query kept)', async (uri) => {
    const h = build();
    const r = asResponse(await h(cfEvent({ uri, querystring: 'v=1&x=%2F', cookies: staff })));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/admin/secret.html?v=1&x=%2F`);
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    // following the redirect: the rule for /admin/* applies
    expect(asResponse(await h(cfEvent({ uri: '/admin/secret.html', querystring: 'v=1&x=%2F', cookies: staff }))).status).toBe('403');
  });

  test.each(BYPASSES)('%s: a fetch or a POST gets the 400 page, never the origin', async (uri) => {
    const h = build();
    for (const opts of [{ navigation: false }, { method: 'POST' }, { method: 'PUT', navigation: false }]) {
      const r = asResponse(await h(cfEvent({ uri, cookies: admin, ...opts })));
      expect(r.status).toBe('400');
      expect(r.headers!.location).toBeUndefined();
    }
  });

  test.each([
    '/admin%00/secret.html', '/%2561dmin/secret.html', '/admin;x/secret.html', '/%C0%AFadmin/secret.html', '/admin%zz',
  ])('%s has no canonical form: 400 even for a navigation of an admin', async (uri) => {
    const r = asResponse(await build()(cfEvent({ uri, cookies: admin })));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
  });

  test('an anonymous navigation of a bypass spelling is redirected to the canonical URL first, never to the hosted UI with it', async () => {
    const r = asResponse(await build()(cfEvent({ uri: '//admin/secret.html' })));
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/admin/secret.html`);
  });

  test('a redirect target that is not a safe return path (query with a backslash) gets the 400 page instead', async () => {
    const r = asResponse(await build()(cfEvent({ uri: '//admin/x', querystring: 'a=\\b', cookies: staff })));
    expect(r.status).toBe('400');
  });

  test('canonical paths with escapes that stay (space, UTF-8) are forwarded unchanged', async () => {
    const req = asRequest(await build()(cfEvent({ uri: '/public/My%20Docs/caf%C3%A9.pdf', cookies: staff })));
    expect(req.uri).toBe('/public/My%20Docs/caf%C3%A9.pdf');
  });

  test('the redirect is logged as path_redirect, without the path', async () => {
    const lines: string[] = [];
    await build(README_RULES, lines)(cfEvent({ uri: '/%61dmin/secret.html', cookies: staff }));
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'path_redirect');
    expect(line).toMatchObject({ level: 'info', status: 302 });
    expect(lines.join('\n')).not.toContain('secret.html');
  });
});

describe('without path rules (every path has the same requirement)', () => {
  test.each([...BYPASSES, '/admin;x/secret.html', '/admin%00.html', '/odd%2561key'])('%s is forwarded as sent after the session check', async (uri) => {
    const h = build({ requiredGroups: ['staff'] });
    expect(asRequest(await h(cfEvent({ uri, cookies: staff }))).uri).toBe(uri);
    // and the requirement still applies to it
    const other = [`${ID}=${idToken({ 'cognito:groups': ['guests'] })}`];
    expect(asResponse(await h(cfEvent({ uri, cookies: other }))).status).toBe('403');
  });

  test('routing uses the canonical path: a spelling of the sign-out path signs out', async () => {
    const r = asResponse(await build({})(cfEvent({ uri: '/_auth//signout', cookies: staff })));
    expect(location(r)).toContain('/logout?');
  });

  test('routing uses the canonical path: a spelling of the callback path is the callback (not forwarded)', async () => {
    const r = asResponse(await build({})(cfEvent({ uri: '/_auth/%63allback', querystring: 'code=c' })));
    expect(r.status).toBe('400');
    expect(r.body).toContain('Sign-in failed');
  });
});

describe('with path rules, the auth routes too', () => {
  test('a configured callback path that is not canonical is refused at load (the contract admits canonical paths only)', () => {
    expect(() => build({ ...README_RULES, callbackPath: '/_auth/%63b' })).toThrow(/"callbackPath" must be an absolute path in canonical form/);
  });

  test('a spelling of the callback path is redirected to it with its query', async () => {
    const r = asResponse(await build()(cfEvent({ uri: '/_auth/./callback', querystring: 'code=c&state=s' })));
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/_auth/callback?code=c&state=s`);
  });
});

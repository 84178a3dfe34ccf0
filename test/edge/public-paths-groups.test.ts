/**
 * Public paths (reachable without a session) and the groups claim (which id-token claim carries
 * the groups, in the forms Cognito produces).
 */
import {
  asRequest, asResponse, baseConfig, cfEvent, COOKIE_PREFIX, idToken,
} from './helpers';
import { resolveConfig } from '../../lambda-src/edge-auth/config';
import { ConfigError } from '../../lambda-src/edge-auth/errors';
import { createHandler, EdgeHandler, IDENTITY_HEADER } from '../../lambda-src/edge-auth/handler';
import { parseGroups } from '../../lambda-src/edge-auth/token-verifier';

function build(config: Record<string, unknown>): EdgeHandler {
  return createHandler(baseConfig(config), { fetch: async () => { throw new TypeError('no network'); }, log: () => undefined });
}

const session = (token: string) => [`${COOKIE_PREFIX}id=${token}; theme=dark`];

describe('publicPaths', () => {
  const h = build({ publicPaths: ['/robots.txt', '/.well-known/*', '/health'], requiredGroups: ['staff'] });

  test.each(['/robots.txt', '/.well-known/openid-configuration', '/.well-known/', '/health'])('%s passes without a session, unchanged', async (uri) => {
    const req = asRequest(await h(cfEvent({ uri, querystring: 'a=1' })));
    expect(req.uri).toBe(uri);
    expect(req.querystring).toBe('a=1');
  });

  test('a public path passes for a signed-in non-member too, without the library\'s cookies and without an identity header', async () => {
    const req = asRequest(await h(cfEvent({ uri: '/robots.txt', cookies: session(idToken({ 'cognito:groups': ['other'] })), headers: { [IDENTITY_HEADER]: 'mallory' } })));
    expect(req.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark' }]);
    expect(req.headers[IDENTITY_HEADER]).toBeUndefined();
  });

  test.each([
    '/robots.txt/../admin', '/.well-known/../admin/secret', '/.well-known/%2e%2e/admin', '/.well-known//x', '/.well-known/..%2fadmin',
    '/.well-known\\..\\admin', '/robots.txtx', '/admin', '/health/x',
  ])('%s is not public: a navigation without a session is sent to sign in', async (uri) => {
    const r = asResponse(await h(cfEvent({ uri })));
    expect(r.status).toBe('302');
  });

  test('without publicPaths every path needs a session', async () => {
    expect(asResponse(await build({})(cfEvent({ uri: '/robots.txt' }))).status).toBe('302');
  });

  test('config: publicPaths must be patterns starting with "/"', () => {
    expect(() => resolveConfig(baseConfig({ publicPaths: ['robots.txt'] }))).toThrow(ConfigError);
    expect(() => resolveConfig(baseConfig({ publicPaths: '/robots.txt' }))).toThrow(/"publicPaths" must be/);
    expect(resolveConfig(baseConfig({})).publicPaths).toEqual([]);
  });
});

describe('groupsClaim', () => {
  test.each<[string, unknown, string[]]>([
    ['a JSON array (cognito:groups)', ['a', 'b'], ['a', 'b']],
    ['Cognito\'s bracketed list of a mapped attribute', '[Reports.Read, Admin]', ['Reports.Read', 'Admin']],
    ['a JSON array in a string', '["Reports.Read","Admin"]', ['Reports.Read', 'Admin']],
    ['a single value', 'Reports.Read', ['Reports.Read']],
    ['an empty list', '[]', []],
    ['an empty string', '', []],
    ['a number', 42, []],
    ['an array with non-strings', ['a', 1, null, ''], ['a']],
    ['absent', undefined, []],
  ])('parseGroups: %s', (_name, value, expected) => {
    expect(parseGroups(value)).toEqual(expected);
  });

  test('required groups are read from the named claim (Entra app roles mapped to custom:roles)', async () => {
    const h = build({ groupsClaim: 'custom:roles', requiredGroups: ['Reports.Read'] });
    const member = idToken({ 'custom:roles': '[Reports.Read, Reports.Write]', 'cognito:groups': undefined });
    asRequest(await h(cfEvent({ cookies: session(member) })));
    // cognito:groups is not read when another claim is named
    const cognitoMember = idToken({ 'cognito:groups': ['Reports.Read'] });
    expect(asResponse(await h(cfEvent({ cookies: session(cognitoMember) }))).status).toBe('403');
  });

  test('path rules use the same claim', async () => {
    const h = build({ groupsClaim: 'custom:groups', pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }] });
    const admin = idToken({ 'custom:groups': 'admins' });
    const reader = idToken({ 'custom:groups': '["readers"]' });
    asRequest(await h(cfEvent({ uri: '/admin/x', cookies: session(admin) })));
    expect(asResponse(await h(cfEvent({ uri: '/admin/x', cookies: session(reader) }))).status).toBe('403');
    asRequest(await h(cfEvent({ uri: '/docs', cookies: session(reader) })));
  });

  test('default is cognito:groups', async () => {
    expect(resolveConfig(baseConfig({})).groupsClaim).toBe('cognito:groups');
    const h = build({ requiredGroups: ['readers'] });
    asRequest(await h(cfEvent({ cookies: session(idToken()) })));
  });

  test('config: groupsClaim must be a claim name', () => {
    expect(() => resolveConfig(baseConfig({ groupsClaim: 'a b' }))).toThrow(/"groupsClaim" must be/);
    expect(() => resolveConfig(baseConfig({ groupsClaim: '' }))).toThrow(ConfigError);
    expect(() => resolveConfig(baseConfig({ groupsClaim: '__proto__' }))).toThrow(ConfigError);
  });
});

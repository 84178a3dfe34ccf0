import JSZip from 'jszip';
import { addConfigToBundle, buildEdgeConfig } from '../../lambda-src/config-injector/build-config';

const base = { UserPoolId: 'eu-west-1_AbC123', ClientId: 'c1', AuthDomain: 'https://auth.example.com/' };

describe('buildEdgeConfig', () => {
  test('the minimum: pool, client, domain (trailing slash dropped)', () => {
    expect(buildEdgeConfig(base)).toEqual({ userPoolId: 'eu-west-1_AbC123', clientId: 'c1', authDomain: 'https://auth.example.com' });
  });

  test('every EdgeConfig field is carried, CloudFormation strings included', () => {
    const edge = {
      identityProvider: 'EntraID',
      callbackPath: '/cb',
      signOutPath: '/out',
      signOutLandingPath: '/bye',
      scopes: ['openid'],
      requiredGroups: ['a'],
      pathRules: [{ pathPattern: '/x/*', requiredGroups: [] }],
      aliases: ['www.example.com'],
      cookies: { namePrefix: 'P', sameSite: 'Strict', domain: 'example.com', path: '/', tokenMaxAgeSeconds: 60 },
      forwardAuthCookies: 'true',
      logLevel: 'debug',
      refreshTokenValiditySeconds: '3600',
      publicPaths: ['/robots.txt', '/.well-known/*'],
      groupsClaim: 'custom:roles',
    };
    expect(buildEdgeConfig({ ...base, EdgeConfig: JSON.stringify(edge) }, { jwks: { keys: [{ kid: 'k' }] }, stateSecret: 's' })).toEqual({
      userPoolId: 'eu-west-1_AbC123',
      clientId: 'c1',
      authDomain: 'https://auth.example.com',
      ...edge,
      forwardAuthCookies: true,
      refreshTokenValiditySeconds: 3600,
      jwks: { keys: [{ kid: 'k' }] },
      stateSecret: 's',
    });
  });

  test('the playground can use a loopback hosted UI', () => {
    expect(buildEdgeConfig({ ...base, AuthDomain: 'http://127.0.0.1:8080' }).authDomain).toBe('http://127.0.0.1:8080');
  });

  test.each([
    [{ ...base, UserPoolId: 'nope' }, /UserPoolId must look like/],
    [{ ...base, ClientId: '' }, /ClientId must be a non-empty string/],
    [{ ...base, AuthDomain: 'auth.example.com' }, /AuthDomain must be a base URL/],
    [{ ...base, EdgeConfig: '{' }, /EdgeConfig is not valid JSON/],
    [{ ...base, EdgeConfig: '[]' }, /EdgeConfig must be a JSON object/],
    [{ ...base, EdgeConfig: '{"logLevel":"loud"}' }, /EdgeConfig.logLevel must be one of/],
    [{ ...base, EdgeConfig: '{"cookies":{"sameSite":"lax"}}' }, /EdgeConfig.cookies.sameSite must be one of/],
    [{ ...base, EdgeConfig: '{"requiredGroups":"a"}' }, /EdgeConfig.requiredGroups must be an array of strings/],
    [{ ...base, EdgeConfig: '{"pathRules":[{"requiredGroups":[]}]}' }, /EdgeConfig.pathRules\[0\].pathPattern/],
  ])('rejects %j', (props, message) => {
    expect(() => buildEdgeConfig(props)).toThrow(message);
  });

  test('__proto__ in EdgeConfig does not pollute', () => {
    const config = buildEdgeConfig({ ...base, EdgeConfig: '{"__proto__":{"polluted":true},"cookies":{"__proto__":{"x":1}}}' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(config).not.toHaveProperty('cookies');
  });
});

describe('addConfigToBundle', () => {
  async function bundle(): Promise<Buffer> {
    const zip = new JSZip();
    zip.file('index.js', 'exports.handler=1', { date: new Date('2020-01-01T00:00:00Z') });
    zip.file('config.json', '{"stale":true}');
    return zip.generateAsync({ type: 'nodebuffer' });
  }

  test('adds config.json beside index.js, replacing a stale one, deterministically', async () => {
    const config = buildEdgeConfig(base);
    const a = await addConfigToBundle(await bundle(), config);
    const b = await addConfigToBundle(await bundle(), config);
    expect(a.equals(b)).toBe(true);
    const zip = await JSZip.loadAsync(a);
    expect(Object.keys(zip.files).sort()).toEqual(['config.json', 'index.js']);
    expect(JSON.parse(await zip.file('config.json')!.async('string'))).toEqual(config);
    expect(await zip.file('index.js')!.async('string')).toBe('exports.handler=1');
  });

  test('refuses a zip without index.js', async () => {
    const zip = new JSZip();
    zip.file('other.js', '');
    await expect(addConfigToBundle(await zip.generateAsync({ type: 'nodebuffer' }), buildEdgeConfig(base))).rejects.toThrow(/no index.js/);
  });
});

/**
 * The config.json contract through the whole chain (design §4.14): props at synth → the
 * `Custom::CognitoEdgeAuthConfig` properties in the template → the custom resource's
 * `buildEdgeConfig` → the edge function's `resolveConfig`. For every value: when the construct
 * accepts it, the function accepts what the custom resource builds from it; when the construct
 * refuses it, the function refuses it too. Property-based for the string and number fields, named
 * cases for the values that once drifted.
 *
 * Imports only modules that predate the shared contract layer, so this file also runs against
 * older trees of the project.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import fc from 'fast-check';
import { buildEdgeConfig, ConfigResourceProperties } from '../../lambda-src/config-injector/build-config';
import { canonicalPath } from '../../lambda-src/edge-auth/canonical-path';
import { resolveConfig } from '../../lambda-src/edge-auth/config';
import { CognitoEdgeAuth, CognitoEdgeAuthProps } from '../../src';

const POOL_ID = 'eu-west-1_AbCdEf123';
const CLIENT_ID = '1example23456789';
/** What the custom resource resolves at deploy time (a real-shaped key set, secrets of the real length). */
const RESOLVED = {
  clientSecret: 'c'.repeat(51),
  stateSecret: 's'.repeat(64),
  jwks: { keys: [{ kid: 'k1', kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB', n: 'x'.repeat(342) }] },
};
/** The config.json the custom resource writes for the default props (the base of the direct configs). */
const BASE_CONFIG = {
  userPoolId: POOL_ID, clientId: CLIENT_ID, authDomain: 'https://my-prefix.auth.us-east-1.amazoncognito.com', ...RESOLVED,
};

interface Input {
  readonly props?: Partial<CognitoEdgeAuthProps>;
  readonly aliases?: string[];
  readonly userPoolId?: string;
  readonly clientId?: string;
  readonly domainName?: string;
}

type SynthResult = { readonly accepted: true; readonly config: Record<string, unknown> } | { readonly accepted: false; readonly message: string };

/** Synthesise the props; when accepted, the config resource's properties as CloudFormation passes them. */
function synthAndBuild(input: Input): SynthResult {
  let template: Template;
  try {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: '123456789012', region: 'us-east-1' } });
    const certificate = input.aliases ? acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') : undefined;
    const distribution = new cloudfront.Distribution(stack, 'Distribution', {
      defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      domainNames: input.aliases,
      certificate,
    });
    new CognitoEdgeAuth(stack, 'Auth', {
      distribution,
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', input.userPoolId ?? POOL_ID),
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', input.clientId ?? CLIENT_ID),
      userPoolDomain: cognito.UserPoolDomain.fromDomainName(stack, 'Domain', input.domainName ?? 'my-prefix'),
      ...input.props,
    });
    template = Template.fromStack(stack);
  } catch (e) {
    // every synth-time refusal of the construct, whatever the release, is a ValidationError
    // (or the CDK's "Validation failed" for checks that run when the app is complete)
    if (e instanceof Error && (e.name === 'ValidationError' || /^Validation failed/.test(e.message))) return { accepted: false, message: e.message };
    throw e;
  }
  const [resource] = Object.values(template.findResources('Custom::CognitoEdgeAuthConfig'));
  // what CloudFormation hands the custom resource: the resolved properties, every value a string
  return { accepted: true, config: resource.Properties };
}

/** The custom resource's build then the edge function's check: undefined when accepted, else the refusal. */
function deployAndLoadRefusal(config: () => unknown): string | undefined {
  try {
    resolveConfig(config());
    return undefined;
  } catch (e) {
    if (e instanceof Error && e.name === 'ConfigError') return e.message;
    throw e;
  }
}

/**
 * The contract for one value: synth accepts ⇒ the built config.json is accepted at load;
 * synth refuses ⇒ the same value, written straight into config.json, is refused at load.
 * Returns a description of the mismatch, or undefined.
 */
function mismatch(input: Input, direct: Record<string, unknown>): string | undefined {
  if (input.userPoolId !== undefined && !cdkImportsPool(input.userPoolId)) return undefined; // no one can pass it to the construct
  const synth = synthAndBuild(input);
  if (synth.accepted) {
    const refusal = deployAndLoadRefusal(() => buildEdgeConfig(synth.config as ConfigResourceProperties, RESOLVED));
    return refusal === undefined ? undefined : `accepted at synth, refused at deploy or load: ${refusal}`;
  }
  const refusal = deployAndLoadRefusal(() => ({ ...BASE_CONFIG, ...direct }));
  return refusal === undefined ? `refused at synth (${synth.message}), accepted at load: ${JSON.stringify(direct)}` : undefined;
}

/** Does aws-cdk-lib itself accept the id (UserPool.fromUserPoolId refuses some, e.g. '')? */
function cdkImportsPool(id: string): boolean {
  try {
    cognito.UserPool.fromUserPoolId(new Stack(), 'Pool', id);
    return true;
  } catch {
    return false;
  }
}

/** Strings near the rules: path-like pieces, the characters that drifted, unicode, controls, lengths. */
const PIECES = ['/', '//', 'a', 'Z', '9', '.', '..', '-', '_', '~', '+', '%', '%2F', '[', ']', '"', ';', '*', '?', '#', ' ', 'é', '@', ':', '!', '$',
  '&', "'", '(', ')', ',', '=', '\\', '\t', 'x'.repeat(60)];
const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((a) => a.join(''));
const text = fc.oneof(
  pieces,
  pieces.map((s) => `/${s}`),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer({ min: 250, max: 262 }).map((n) => `/${'a'.repeat(n - 1)}`),
);
const dnsish = fc.oneof(
  fc.array(fc.constantFrom('a', 'b', '0', '-', '.', '*', '*.', 'é', ' ', 'A', 'xn--', '_'), { minLength: 1, maxLength: 10 }).map((a) => a.join('')),
  fc.domain(),
  fc.domain().map((d) => `*.${d}`),
  fc.string({ maxLength: 16 }),
);
const seconds = fc.oneof(
  fc.integer({ min: 0, max: 500 * 86_400 }),
  fc.constantFrom(59, 60, 3_599, 3_600, 400 * 86_400, 400 * 86_400 + 1, 3_650 * 86_400, 3_650 * 86_400 + 1),
);

const RUNS = { numRuns: 30 };

describe('property: what synth accepts, load accepts; what synth refuses, load refuses', () => {
  test.each<[string, (v: string) => Input, (v: string) => Record<string, unknown>]>([
    ['callbackPath', (v) => ({ props: { callbackPath: v } }), (v) => ({ callbackPath: v })],
    ['signOutPath', (v) => ({ props: { signOutPath: v } }), (v) => ({ signOutPath: v })],
    ['signOutRedirectPath', (v) => ({ props: { signOutRedirectPath: v } }), (v) => ({ signOutLandingPath: v })],
    ['cookieSettings.namePrefix', (v) => ({ props: { cookieSettings: { namePrefix: v } } }), (v) => ({ cookies: { namePrefix: v } })],
    ['cookieSettings.path', (v) => ({ props: { cookieSettings: { domain: 'example.com', path: v } }, aliases: ['www.example.com'] }),
      (v) => ({ cookies: { domain: 'example.com', path: v } })],
    ['cookieSettings.path without a domain', (v) => ({ props: { cookieSettings: { path: v } } }), (v) => ({ cookies: { path: v } })],
    ['pathAuthorizations[].pathPattern', (v) => ({ props: { pathAuthorizations: [{ pathPattern: v, requiredGroups: [] }] } }),
      (v) => ({ pathRules: [{ pathPattern: v, requiredGroups: [] }] })],
    ['publicPaths[]', (v) => ({ props: { publicPaths: [v] } }), (v) => ({ publicPaths: [v] })],
    ['requiredGroups[]', (v) => ({ props: { requiredGroups: [v] } }), (v) => ({ requiredGroups: [v] })],
    ['identityProvider', (v) => ({ props: { identityProvider: v } }), (v) => ({ identityProvider: v })],
    ['oauthScopes[]', (v) => ({ props: { oauthScopes: [cognito.OAuthScope.custom(v)] } }), (v) => ({ scopes: [v] })],
    ['imported user pool id', (v) => ({ userPoolId: v }), (v) => ({ userPoolId: v })],
    ['imported client id', (v) => ({ clientId: v }), (v) => ({ clientId: v })],
  ])('%s', (_field, input, direct) => {
    fc.assert(fc.property(text, (v) => {
      expect(mismatch(input(v), direct(v))).toBeUndefined();
    }), RUNS);
  });

  test.each<[string, (v: string) => Input, (v: string) => Record<string, unknown>]>([
    ['distribution domainNames (aliases)', (v) => ({ aliases: [v] }), (v) => ({ aliases: [v] })],
    ['cookieSettings.domain', (v) => ({ props: { cookieSettings: { domain: v } }, aliases: [`www.${v}`] }), (v) => ({ cookies: { domain: v } })],
    ['imported user pool id (region part)', (v) => ({ userPoolId: `${v}_AbC123` }), (v) => ({ userPoolId: `${v}_AbC123` })],
  ])('%s', (_field, input, direct) => {
    fc.assert(fc.property(dnsish, (v) => {
      expect(mismatch(input(v), direct(v))).toBeUndefined();
    }), RUNS);
  });

  test.each<[string, (n: number) => Input, (n: number) => Record<string, unknown>]>([
    ['cookieSettings.tokenMaxAge', (n) => ({ props: { cookieSettings: { tokenMaxAge: Duration.seconds(n) } } }), (n) => ({ cookies: { tokenMaxAgeSeconds: n } })],
    ['refreshTokenValidity', (n) => ({ props: { refreshTokenValidity: Duration.seconds(n) } }), (n) => ({ refreshTokenValiditySeconds: n })],
  ])('%s', (_field, input, direct) => {
    fc.assert(fc.property(seconds, (n) => {
      expect(mismatch(input(n), direct(n))).toBeUndefined();
    }), RUNS);
  });
});

/** The refusal at load of a config.json that holds `direct` (undefined when accepted). */
const loadRefusal = (direct: Record<string, unknown>): string | undefined => deployAndLoadRefusal(() => ({ ...BASE_CONFIG, ...direct }));

describe('the signed-out page: paths where it cannot go are refused at synth and at load, naming signOutPath', () => {
  test.each<[string, { signOutPath: string; callbackPath: string }]>([
    // the sibling is the sign-out path itself, the child is the callback path
    ['the page would be the callback path', { signOutPath: '/a/signed-out', callbackPath: '/a/signed-out/signed-out' }],
    // a sign-out path ending in '/': its sibling and its child are the same path, the callback path
    ['a sign-out path ending in "/" above the callback path', { signOutPath: '/out/', callbackPath: '/out/signed-out' }],
    // the page beside a long sign-out path passes 256 characters
    ['the page would be longer than 256 characters', { signOutPath: `/${'a'.repeat(249)}/x`, callbackPath: '/_auth/callback' }],
  ])('%s', (_name, paths) => {
    const synth = synthAndBuild({ props: paths });
    expect(synth.accepted).toBe(false);
    expect(!synth.accepted && synth.message).toMatch(/signOutPath|the signed-out page/);
    expect(!synth.accepted && synth.message).not.toMatch(/signOutRedirectPath must be/); // not a prop the user set
    expect(loadRefusal(paths)).toMatch(/"signOutPath" must be a path whose signed-out page .* is not callbackPath .*or set the sign-out landing path/);
    // with a landing page of their own, both accept the same paths
    expect(mismatch({ props: { ...paths, signOutRedirectPath: '/' } }, { ...paths, signOutLandingPath: '/' })).toBeUndefined();
    expect(loadRefusal({ ...paths, signOutLandingPath: '/' })).toBeUndefined();
  });
});

describe('path patterns: a spelling the canonical path never has is refused at synth and at load, with the canonical spelling', () => {
  test.each<[string, string, string]>([
    ['an escaped "/"', '/admin%2F*', '/admin/*'],
    ['an escaped unreserved character', '/%7Euser/*', '/~user/*'],
    ['lower-case hex', '/caf%c3%a9/*', '/caf%C3%A9/*'],
    ['"//"', '/docs//*', '/docs/*'],
    ['a "." segment', '/a/./b/*', '/a/b/*'],
    ['a ".." segment', '/a/../b', '/b'],
    ['a backslash', '/a\\b/*', '/a/b/*'],
    ['a raw "\""', '/a"b', '/a%22b'],
    ['no leading "/"', 'admin/*', '/admin/*'],
    ['a wildcard first, then "//"', '*//thumbs/*', '*/thumbs/*'],
  ])('%s (%s → %s)', (_name, pattern, canonical) => {
    const quoted = JSON.stringify(canonical).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const rules = (p: string) => [{ pathPattern: p, requiredGroups: ['x'] }];
    const synth = synthAndBuild({ props: { pathAuthorizations: rules(pattern) } });
    expect(!synth.accepted && synth.message).toMatch(new RegExp(`pathAuthorizations\\[0\\]\\.pathPattern must be .*canonical.*${quoted}`));
    expect(loadRefusal({ pathRules: rules(pattern) })).toMatch(new RegExp(`"pathRules\\[0\\]\\.pathPattern" must be .*canonical.*${quoted}`));
    // the canonical spelling goes through the whole chain
    expect(mismatch({ props: { pathAuthorizations: rules(canonical) } }, { pathRules: rules(canonical) })).toBeUndefined();
    expect(synthAndBuild({ props: { pathAuthorizations: rules(canonical) } }).accepted).toBe(true);
    if (pattern.startsWith('/')) {
      expect(!synthAndBuild({ props: { publicPaths: [pattern] } }).accepted).toBe(true);
      expect(loadRefusal({ publicPaths: [pattern] })).toMatch(new RegExp(`"publicPaths\\[0\\]" must be .*canonical.*${quoted}`));
    }
  });

  test.each<[string, string]>([
    ['a ";" (path parameters)', '/a;b/*'],
    ['an escaped control character', '/a%0Ab'],
    ['a "%" without two hex digits', '/100%/*'],
    ['an escaped "%" before hex digits', '/a%252F'],
    ['a ".." above a leading wildcard', '*/../x'],
  ])('%s has no canonical spelling: refused at synth and at load', (_name, pattern) => {
    const rules = [{ pathPattern: pattern, requiredGroups: ['x'] }];
    const synth = synthAndBuild({ props: { pathAuthorizations: rules } });
    expect(!synth.accepted && synth.message).toMatch(/pathAuthorizations\[0\]\.pathPattern must be .*canonical/);
    expect(loadRefusal({ pathRules: rules })).toMatch(/"pathRules\[0\]\.pathPattern" must be .*canonical/);
  });

  test.each(['/admin/*', '*.jpg', '/caf%C3%A9/*', '/a%20b', '/x?y', '/a%3Fb', '/reports/*/2024/', '/*'])('the canonical %s is accepted through the chain', (pattern) => {
    const rules = [{ pathPattern: pattern, requiredGroups: ['x'] }];
    expect(synthAndBuild({ props: { pathAuthorizations: rules } }).accepted).toBe(true);
    expect(mismatch({ props: { pathAuthorizations: rules } }, { pathRules: rules })).toBeUndefined();
  });

  test('property: the canonical spelling a refusal names is accepted', () => {
    const patterns = fc.oneof(text, text.map((v) => `*${v}`), text.map((v) => `?${v}`));
    fc.assert(fc.property(patterns, (v) => {
      const named = /canonical form ("(?:[^"\\]|\\.)*")/.exec(loadRefusal({ pathRules: [{ pathPattern: v, requiredGroups: [] }] }) ?? '');
      fc.pre(named !== null);
      const canonical = JSON.parse(named![1]) as string;
      expect(canonical).not.toBe(v);
      expect(loadRefusal({ pathRules: [{ pathPattern: canonical, requiredGroups: [] }] })).toBeUndefined();
    }), { numRuns: 300 });
  });

  test('property: an accepted pattern without wildcards is a canonical path (so it can match one)', () => {
    fc.assert(fc.property(text, (v) => {
      fc.pre(!/[*?]/.test(v) && loadRefusal({ pathRules: [{ pathPattern: v, requiredGroups: [] }] }) === undefined);
      expect(canonicalPath(v)).toBe(v);
    }), { numRuns: 300 });
  });
});

describe('named cases: the values that once passed synth and deploy and were refused at load', () => {
  test.each<[string, Input, Record<string, unknown>]>([
    ['cookie namePrefix My+App', { props: { cookieSettings: { namePrefix: 'My+App' } } }, { cookies: { namePrefix: 'My+App' } }],
    ['cookie namePrefix app~x', { props: { cookieSettings: { namePrefix: 'app~x' } } }, { cookies: { namePrefix: 'app~x' } }],
    ['callbackPath /auth/[cb]', { props: { callbackPath: '/auth/[cb]' } }, { callbackPath: '/auth/[cb]' }],
    ['callbackPath //x', { props: { callbackPath: '//x' } }, { callbackPath: '//x' }],
    ['callbackPath of 257 characters', { props: { callbackPath: `/${'a'.repeat(256)}` } }, { callbackPath: `/${'a'.repeat(256)}` }],
    ['non-ASCII pathPattern', { props: { pathAuthorizations: [{ pathPattern: '/café/*', requiredGroups: ['x'] }] } },
      { pathRules: [{ pathPattern: '/café/*', requiredGroups: ['x'] }] }],
    ['cookie path with "', { props: { cookieSettings: { domain: 'example.com', path: '/a"b' } }, aliases: ['www.example.com'] },
      { cookies: { domain: 'example.com', path: '/a"b' } }],
    ['tokenMaxAge of 401 days', { props: { cookieSettings: { tokenMaxAge: Duration.days(401) } } }, { cookies: { tokenMaxAgeSeconds: 401 * 86_400 } }],
    ['wildcard alias *.example.com', { aliases: ['*.example.com'] }, { aliases: ['*.example.com'] }],
    ['user pool of a newer partition (eusc-de-east-1)', { userPoolId: 'eusc-de-east-1_AbCdEf123' }, { userPoolId: 'eusc-de-east-1_AbCdEf123' }],
  ])('%s: synth and load agree', (_name, input, direct) => {
    expect(mismatch(input, direct)).toBeUndefined();
  });

  test.each<[string, Input, RegExp]>([
    ['cookie namePrefix My+App', { props: { cookieSettings: { namePrefix: 'My+App' } } }, /cookieSettings\.namePrefix must be 1–64 letters, digits, '_', '\.' or '-', got "My\+App"/],
    ['callbackPath //x', { props: { callbackPath: '//x' } }, /callbackPath must be an absolute path .*no '\/\/'.*got "\/\/x"/],
    ['tokenMaxAge of 401 days', { props: { cookieSettings: { tokenMaxAge: Duration.days(401) } } }, /cookieSettings\.tokenMaxAge must be a whole number of seconds from 1 minute to 400 days, got "401 days"/],
    ['wildcard alias', { aliases: ['*.example.com'] }, /distribution: its domain name "\*\.example\.com" must be an exact host name: wildcard domain names are not supported.*list every host name/],
  ])('%s is refused at synth with the prop and the fix', (_name, input, message) => {
    const synth = synthAndBuild(input);
    expect(synth.accepted).toBe(false);
    expect(!synth.accepted && synth.message).toMatch(message);
  });

  test('a user pool of a newer partition goes through the chain with its region', () => {
    const synth = synthAndBuild({ userPoolId: 'eusc-de-east-1_AbCdEf123' });
    expect(synth.accepted).toBe(true);
    expect(synth.accepted && resolveConfig(buildEdgeConfig(synth.config as ConfigResourceProperties, RESOLVED)).region).toBe('eusc-de-east-1');
  });
});

describe('named cases of the session field (load side; the chain from the session-mode props joins it once the construct writes them)', () => {
  const KEY = 'A'.repeat(20) + '_-' + 'z9'.repeat(10) + 'Q';
  const withSession = (session: Record<string, unknown>, rest: Record<string, unknown> = {}): Record<string, unknown> => (
    { ...BASE_CONFIG, ...rest, session: { authPathPrefix: '/_auth/', keyId: '1', key: KEY, identityHeader: 'x-cognito-edge-auth-user', ...session } });

  test('the session field as the custom resource writes it loads', () => {
    expect(deployAndLoadRefusal(() => withSession({}))).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['a prefix without the trailing slash', { authPathPrefix: '/_auth' }, {}, /"session\.authPathPrefix" must be/],
    ['a callback path outside the prefix', {}, { callbackPath: '/oauth/callback' }, /"callbackPath" must be a path under session\.authPathPrefix/],
    ['a prefix the default callback path is not under', { authPathPrefix: '/auth/' }, {}, /"callbackPath" must be a path under session\.authPathPrefix/],
    ['a sign-out path outside the prefix', {}, { signOutPath: '/logout' }, /"signOutPath" must be a path under session\.authPathPrefix/],
    ['a key id with a "."', { keyId: 'k.1' }, {}, /"session\.keyId" must be/],
    ['a key of 42 characters', { key: KEY.slice(1) }, {}, /"session\.key" must be 32 random bytes as 43 base64url characters/],
    ['an identity header in capitals', { identityHeader: 'X-User' }, {}, /"session\.identityHeader" must be a lower-case header name/],
    ['forwardAuthCookies with a session', {}, { forwardAuthCookies: true }, /"forwardAuthCookies" must be false in session mode/],
  ])('%s is refused at load, naming the field and never the key', (_name, session, rest, message) => {
    const refusal = deployAndLoadRefusal(() => withSession(session, rest));
    expect(refusal).toMatch(message);
    expect(refusal).not.toContain(KEY.slice(2, 30));
  });
});

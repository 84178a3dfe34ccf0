/**
 * Session mode (viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION), the construct side: the auth
 * behavior and its place, the viewer function on the other protected behaviors, the
 * KeyValueStore, what the config injector gets, and the synth-time refusals.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { addAuth, associations, fixture, FixtureOptions, supportStack } from './helpers';
import { CognitoEdgeAuth, CognitoEdgeAuthProps, ViewerCheck } from '../../src';

const SESSION = { viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION };
const ORIGIN = new origins.HttpOrigin('origin.example.com');
const HEADER = 'x-cognito-edge-auth-user';
/** Managed policy ids (CloudFront's, fixed). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** A fixture whose default behavior disables caching (as session mode asks of it), plus `behaviors`. */
function sessionFixture(options: FixtureOptions = {}) {
  return fixture({
    distributionProps: {
      defaultBehavior: {
        origin: ORIGIN,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      },
    },
    ...options,
  });
}

function synthSession(props: Partial<CognitoEdgeAuthProps> = {}, options: FixtureOptions = {}) {
  const f = sessionFixture(options);
  const auth = addAuth(f, { ...SESSION, ...props });
  return { f, auth, template: Template.fromStack(f.stack) };
}

/** The rendered behaviors: additional ones in order, the default behavior last with pattern '*'. */
function behaviorsOf(template: Template): Array<Record<string, any>> {
  const [dist] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  const config = dist.Properties.DistributionConfig;
  return [...(config.CacheBehaviors ?? []), { ...config.DefaultCacheBehavior, PathPattern: '*' }];
}

function errorOf(props: Partial<CognitoEdgeAuthProps>, options: FixtureOptions = {}, session = true): string | undefined {
  try {
    const f = session ? sessionFixture(options) : fixture(options);
    addAuth(f, { ...(session ? SESSION : {}), ...props });
    f.app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('session mode in us-east-1', () => {
  const { f, auth, template } = synthSession({}, {
    region: 'us-east-1',
    behaviors: { '/api/*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } },
  });
  const fnLogicalId = f.stack.getLogicalId(auth.viewerFunction!.node.defaultChild as cloudfront.CfnFunction);
  const kvsLogicalId = f.stack.getLogicalId(auth.sessionKeyStore!.node.defaultChild as cloudfront.CfnKeyValueStore);

  test('the auth behavior comes first, on the default origin, with the Lambda@Edge version and no caching', () => {
    const list = behaviorsOf(template);
    expect(list.map((b) => b.PathPattern)).toEqual(['/_auth/*', '/api/*', '*']);
    const [authBehavior, , def] = list;
    expect(authBehavior.TargetOriginId).toEqual(def.TargetOriginId);
    expect(authBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(authBehavior.CachePolicyId).toEqual(CACHING_DISABLED);
    expect(authBehavior.OriginRequestPolicyId).toEqual(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(authBehavior.ViewerProtocolPolicy).toEqual('redirect-to-https');
    const configId = Object.keys(template.findResources('Custom::CognitoEdgeAuthConfig'))[0];
    expect(authBehavior.LambdaFunctionAssociations).toEqual([
      { EventType: 'viewer-request', LambdaFunctionARN: { 'Fn::GetAtt': [configId, 'VersionArn'] }, IncludeBody: false },
    ]);
    expect(authBehavior.FunctionAssociations).toBeUndefined();
  });

  test('every other behavior gets the viewer function on viewer-request, and no Lambda@Edge', () => {
    const list = behaviorsOf(template).filter((b) => b.PathPattern !== '/_auth/*');
    expect(list).toHaveLength(2);
    for (const b of list) {
      expect(b.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnLogicalId, 'FunctionARN'] } }]);
      expect(b.LambdaFunctionAssociations).toBeUndefined();
    }
    expect(associations(template)['/_auth/*']).toHaveLength(1);
  });

  test('the viewer function runs on runtime 2.0 with the KeyValueStore and the configuration written in', () => {
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    template.resourceCountIs('AWS::CloudFront::Function', 1);
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    expect(fn.Properties.FunctionConfig.Runtime).toEqual('cloudfront-js-2.0');
    expect(fn.Properties.FunctionConfig.KeyValueStoreAssociations).toEqual([
      { KeyValueStoreARN: { 'Fn::GetAtt': [kvsLogicalId, 'Arn'] } },
    ]);
    expect(fn.Properties.AutoPublish).toBe(true);
    const code: string = fn.Properties.FunctionCode;
    expect(code).not.toContain('__CEA_VIEWER_CONFIG__');
    expect(code).toContain('"authPrefix":"/_auth/"');
    expect(code).toContain('"cookie":"__Host-CognitoEdgeAuth-s"');
    expect(code).toContain(`"header":"${HEADER}"`);
    expect(code).toMatch(/^import \w+ from "cloudfront";/);
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(10 * 1024);
  });

  test('the config custom resource gets the Session properties (strings)', () => {
    template.hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
      Session: {
        AuthPathPrefix: '/_auth/',
        KeyValueStoreArn: { 'Fn::GetAtt': [kvsLogicalId, 'Arn'] },
        KeyGeneration: '1',
        IdentityHeader: HEADER,
      },
    });
    const config = JSON.parse(JSON.stringify(Object.values(template.findResources('Custom::CognitoEdgeAuthConfig'))[0].Properties.EdgeConfig));
    expect(JSON.stringify(config)).toContain('/_auth/callback');
  });

  test('the config injector may read and write keys of this store only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const kvs = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('cloudfront-keyvaluestore:')));
    expect(kvs).toEqual([{
      Effect: 'Allow',
      Action: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys'],
      Resource: { 'Fn::GetAtt': [kvsLogicalId, 'Arn'] },
    }]);
    const role = Object.entries(policies).find(([, p]) => p.Properties.PolicyDocument.Statement.includes(kvs[0]))![1];
    expect(JSON.stringify(role.Properties.Roles)).toContain('CognitoEdgeAuthProviderRole');
  });

  test('attributes', () => {
    expect(auth.viewerFunction).toBeDefined();
    expect(auth.sessionKeyStore).toBeDefined();
    expect(f.stack.resolve(auth.viewerFunction!.functionArn)).toEqual({ 'Fn::GetAtt': [fnLogicalId, 'FunctionARN'] });
  });

  test('no key material in the template', () => {
    // a session key is 43 random base64url characters (with upper-case letters, all but certainly); no string value
    // of the template is one, nor holds one in quotes (the function code). Lower-case names such as the asset bucket's are not keys.
    const keyLike = (s: string) => /[A-Z_]/.test(s);
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(template.toJSON());
    expect(strings.length).toBeGreaterThan(50);
    expect(strings.filter((s) => /^[A-Za-z0-9_-]{43}$/.test(s) && keyLike(s))).toEqual([]);
    expect(strings.flatMap((s) => s.match(/["'][A-Za-z0-9_-]{43}["']/g) ?? []).filter(keyLike)).toEqual([]);
    const [resource] = Object.values(template.findResources('Custom::CognitoEdgeAuthConfig'));
    expect(Object.keys(resource.Properties.Session).sort()).toEqual(['AuthPathPrefix', 'IdentityHeader', 'KeyGeneration', 'KeyValueStoreArn']);
  });
});

describe('session mode in another region', () => {
  const { f, auth, template } = synthSession({}, { region: 'eu-west-1' });

  test('the viewer function, the store and the auth behavior are in the site stack, the edge function in the support stack', () => {
    template.resourceCountIs('AWS::CloudFront::Function', 1);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    template.resourceCountIs('AWS::Lambda::Function', 1); // the config injector only
    const support = Template.fromStack(supportStack(f));
    support.resourceCountIs('AWS::CloudFront::Function', 0);
    support.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
    support.resourceCountIs('AWS::Lambda::Function', 1);
    expect(Stack.of(auth.edgeFunction).region).toEqual('us-east-1');
    const list = behaviorsOf(template);
    expect(list.map((b) => b.PathPattern)).toEqual(['/_auth/*', '*']);
    expect(list[0].LambdaFunctionAssociations[0].EventType).toEqual('viewer-request');
    expect(list[1].FunctionAssociations[0].EventType).toEqual('viewer-request');
    template.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { Session: Match.objectLike({ AuthPathPrefix: '/_auth/' }) });
  });
});

describe('options', () => {
  test('authPathPrefix moves the auth behavior and the default auth paths', () => {
    const { template } = synthSession({ authPathPrefix: '/auth/x/' });
    expect(behaviorsOf(template)[0].PathPattern).toEqual('/auth/x/*');
    const [resource] = Object.values(template.findResources('Custom::CognitoEdgeAuthConfig'));
    expect(resource.Properties.Session.AuthPathPrefix).toEqual('/auth/x/');
    const edge = JSON.stringify(resource.Properties.EdgeConfig);
    expect(edge).toContain('/auth/x/callback');
    expect(edge).toContain('/auth/x/signout');
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    expect(fn.Properties.FunctionCode).toContain('"signOut":"/auth/x/signout"');
  });

  test('sessionKeyGeneration reaches the custom resource as a string', () => {
    const { template } = synthSession({ sessionKeyGeneration: 3 });
    template.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { Session: Match.objectLike({ KeyGeneration: '3' }) });
  });

  test('group rules and the cookie name prefix are written into the viewer function', () => {
    const { template } = synthSession({
      requiredGroups: ['staff'],
      pathAuthorizations: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }],
      cookieSettings: { namePrefix: 'Site' },
    });
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    expect(fn.Properties.FunctionCode).toContain('"groups":["staff"]');
    expect(fn.Properties.FunctionCode).toContain('"rules":[{"p":"/admin/*","g":["admins"]}]');
    expect(fn.Properties.FunctionCode).toContain('"cookie":"__Host-Site-s"');
  });

  test('behaviors left out of protectedBehaviors get no function', () => {
    const { template } = synthSession({ protectedBehaviors: ['*'] }, { behaviors: { '/public/*': {} } });
    const list = behaviorsOf(template);
    expect(list.map((b) => b.PathPattern)).toEqual(['/_auth/*', '/public/*', '*']);
    expect(list[1].FunctionAssociations).toBeUndefined();
    expect(list[2].FunctionAssociations).toHaveLength(1);
  });

  test('associations the user set for other events are kept', () => {
    const f = sessionFixture();
    const origin = new origins.HttpOrigin('other.example.com');
    f.distribution.addBehavior('/img/*', origin, {
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      edgeLambdas: [{
        eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
        functionVersion: lambda.Version.fromVersionArn(f.stack, 'V', 'arn:aws:lambda:us-east-1:123456789012:function:f:1'),
      }],
    });
    addAuth(f, SESSION);
    const b = behaviorsOf(Template.fromStack(f.stack)).find((x) => x.PathPattern === '/img/*')!;
    expect(b.LambdaFunctionAssociations).toEqual([{ EventType: 'origin-response', LambdaFunctionARN: 'arn:aws:lambda:us-east-1:123456789012:function:f:1' }]);
    expect(b.FunctionAssociations).toHaveLength(1);
  });

  test('behaviors added after the construct are covered too', () => {
    const f = sessionFixture();
    addAuth(f, SESSION);
    f.distribution.addBehavior('/late/*', ORIGIN, { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED });
    const list = behaviorsOf(Template.fromStack(f.stack));
    expect(list.map((b) => b.PathPattern)).toEqual(['/_auth/*', '/late/*', '*']);
    expect(list[1].FunctionAssociations).toHaveLength(1);
  });

  test('a behavior whose pattern also matches auth paths stays after the auth behavior', () => {
    const { template } = synthSession({}, { behaviors: { '/_a*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } } });
    expect(behaviorsOf(template).map((b) => b.PathPattern)).toEqual(['/_auth/*', '/_a*', '*']);
  });

  test('a cache policy of the app that keys on the identity header is accepted', () => {
    const g = sessionFixture();
    const policy = new cloudfront.CachePolicy(g.stack, 'PerUser', {
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('X-Cognito-Edge-Auth-User'),
      defaultTtl: Duration.minutes(5),
    });
    g.distribution.addBehavior('/docs/*', ORIGIN, { cachePolicy: policy });
    addAuth(g, SESSION);
    expect(() => g.app.synth()).not.toThrow();
  });

  test('a cache policy of the app with a maximum TTL of 0 is accepted', () => {
    const g = sessionFixture();
    const policy = new cloudfront.CachePolicy(g.stack, 'NoCache', { defaultTtl: Duration.seconds(0), minTtl: Duration.seconds(0), maxTtl: Duration.seconds(0) });
    g.distribution.addBehavior('/docs/*', ORIGIN, { cachePolicy: policy });
    addAuth(g, SESSION);
    expect(() => g.app.synth()).not.toThrow();
  });
});

describe('warnings', () => {
  test('the default signed-out page is served by the auth behavior, whatever protectedBehaviors says', () => {
    const { f } = synthSession({ protectedBehaviors: ['/api/*'] }, { behaviors: { '/api/*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } } });
    const warnings = Annotations.fromStack(f.stack).findWarning('*', Match.stringLikeRegexp('signed-out page'));
    expect(warnings).toEqual([]);
    // without the auth behavior, '*' (unprotected here) would serve /_auth/signed-out
    expect(Annotations.fromStack(f.stack).findWarning('*', Match.stringLikeRegexp('share an origin'))).toHaveLength(1);
  });

  test('a protected behavior with plain HTTP still warns', () => {
    const { f } = synthSession({}, { behaviors: { '/http/*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.ALLOW_ALL } } });
    expect(Annotations.fromStack(f.stack).findWarning('*', Match.stringLikeRegexp('"/http/\\*" allow plain HTTP'))).toHaveLength(1);
  });
});

describe('Lambda@Edge mode is unchanged', () => {
  test('no session resource, property or function association', () => {
    const f = fixture({ behaviors: { '/api/*': {} } });
    const auth = addAuth(f);
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::CloudFront::Function', 0);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
    const [resource] = Object.values(template.findResources('Custom::CognitoEdgeAuthConfig'));
    expect(resource.Properties.Session).toBeUndefined();
    expect(behaviorsOf(template).map((b) => b.PathPattern)).toEqual(['/api/*', '*']);
    expect(behaviorsOf(template).every((b) => b.FunctionAssociations === undefined && b.LambdaFunctionAssociations.length === 1)).toBe(true);
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudfront-keyvaluestore');
    expect(auth.viewerFunction).toBeUndefined();
    expect(auth.sessionKeyStore).toBeUndefined();
  });

  test('an explicit ViewerCheck.LAMBDA_EDGE renders the same template as the default', () => {
    const a = fixture();
    addAuth(a);
    const b = fixture();
    addAuth(b, { viewerCheck: ViewerCheck.LAMBDA_EDGE });
    expect(Template.fromStack(b.stack).toJSON()).toEqual(Template.fromStack(a.stack).toJSON());
  });
});

describe('refusals', () => {
  test.each([
    ['authPathPrefix', { viewerCheck: ViewerCheck.LAMBDA_EDGE, authPathPrefix: '/_auth/' }],
    ['sessionKeyGeneration', { sessionKeyGeneration: 2 }],
  ])('%s without session mode', (prop, props) => {
    expect(errorOf(props as Partial<CognitoEdgeAuthProps>, {}, false)).toMatch(new RegExp(`CognitoEdgeAuth: ${prop} has no effect without viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION`));
  });

  test('an unknown viewerCheck', () => {
    expect(errorOf({ viewerCheck: 'EDGE' as ViewerCheck })).toMatch(/viewerCheck must be ViewerCheck.LAMBDA_EDGE or ViewerCheck.CLOUDFRONT_FUNCTION, got "EDGE"/);
  });

  test.each(['_auth/', '/_auth', '/', '//x/', '/a/../', '/a/./', '/a*/', '/a?/', '/a b/', `/${'a'.repeat(70)}/`])('authPathPrefix %j', (prefix) => {
    expect(errorOf({ authPathPrefix: prefix })).toMatch(/CognitoEdgeAuth: authPathPrefix must be an absolute path of one or more segments that ends in "\/"/);
  });

  test.each([
    ['callbackPath', { callbackPath: '/callback' }],
    ['signOutPath', { signOutPath: '/signout' }],
    ['callbackPath', { callbackPath: '/_auth/' }],
    ['callbackPath', { authPathPrefix: '/auth/', callbackPath: '/_auth/callback' }],
  ])('%s outside the prefix', (prop, props) => {
    expect(errorOf(props)).toMatch(new RegExp(`CognitoEdgeAuth: ${prop} "[^"]*" must lie under authPathPrefix`));
  });

  test('signOutRedirectPath under the prefix, other than the signed-out page', () => {
    expect(errorOf({ signOutRedirectPath: '/_auth/bye' })).toMatch(/CognitoEdgeAuth: signOutRedirectPath "\/_auth\/bye" lies under authPathPrefix "\/_auth\/"/);
    expect(errorOf({ signOutRedirectPath: '/_auth/signed-out' })).toBeUndefined();
    expect(errorOf({ signOutRedirectPath: '/bye' }, { behaviors: { '/bye': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } } })).toBeUndefined();
  });

  test('forwardAuthCookies', () => {
    expect(errorOf({ forwardAuthCookies: true })).toMatch(/CognitoEdgeAuth: forwardAuthCookies: true is not available with viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION/);
    expect(errorOf({ forwardAuthCookies: false })).toBeUndefined();
  });

  test('cookieSettings.domain', () => {
    expect(errorOf({ cookieSettings: { domain: 'example.com' } }))
      .toMatch(/cookieSettings.domain is not available with viewerCheck/);
  });

  test.each([0, -1, 1.5, Number.NaN])('sessionKeyGeneration %p', (n) => {
    expect(errorOf({ sessionKeyGeneration: n })).toMatch(/CognitoEdgeAuth: sessionKeyGeneration must be a positive whole number/);
  });

  test('a rule set too large for the viewer function names pathAuthorizations', () => {
    const pathAuthorizations = Array.from({ length: 60 }, (_, i) => ({ pathPattern: `/section-number-${i}/*`, requiredGroups: [`group-with-a-long-name-${i}`] }));
    expect(errorOf({ pathAuthorizations })).toMatch(/CognitoEdgeAuth: the viewer function with these pathAuthorizations \(pathRules\) and requiredGroups is \d+ bytes, over CloudFront Functions' limit of 10240 bytes/);
    expect(errorOf({ pathAuthorizations: pathAuthorizations.slice(0, 3) })).toBeUndefined();
  });

  test('a behavior under the prefix would never be used', () => {
    expect(errorOf({}, { behaviors: { '/_auth/extra/*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } } }))
      .toMatch(/behavior '\/_auth\/extra\/\*' lies under authPathPrefix "\/_auth\/"/);
    expect(errorOf({}, { behaviors: { '_auth/*': { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } } }))
      .toMatch(/behavior '_auth\/\*' lies under authPathPrefix/);
  });

  test.each([
    ['Lambda@Edge viewer-request', cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, /has a Lambda@Edge function on viewer-request/],
    ['Lambda@Edge viewer-response', cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE, /has a Lambda@Edge function on viewer-response/],
  ])('the default behavior with a %s function', (_name, eventType, message) => {
    const f = fixture({
      distributionProps: {
        defaultBehavior: {
          origin: ORIGIN,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          edgeLambdas: [{ eventType, functionVersion: lambda.Version.fromVersionArn(new Stack(), 'V', 'arn:aws:lambda:us-east-1:123456789012:function:f:1') }],
        },
      },
    });
    addAuth(f, SESSION);
    expect(() => f.app.synth()).toThrow(message);
  });

  test.each([cloudfront.FunctionEventType.VIEWER_REQUEST, cloudfront.FunctionEventType.VIEWER_RESPONSE])('an additional behavior with a CloudFront Function on %s', (eventType) => {
    const f = sessionFixture();
    const fn = new cloudfront.Function(f.stack, 'Mine', { code: cloudfront.FunctionCode.fromInline('function handler(e){return e.request}') });
    f.distribution.addBehavior('/app/*', ORIGIN, { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, functionAssociations: [{ eventType, function: fn }] });
    addAuth(f, SESSION);
    expect(() => f.app.synth()).toThrow(new RegExp(`behavior '/app/\\*' already has a CloudFront Function on ${eventType}`));
  });

  test('a conflicting behavior left out of protectedBehaviors is fine', () => {
    const f = sessionFixture();
    const fn = new cloudfront.Function(f.stack, 'Mine', { code: cloudfront.FunctionCode.fromInline('function handler(e){return e.request}') });
    f.distribution.addBehavior('/app/*', ORIGIN, { functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: fn }] });
    addAuth(f, { ...SESSION, protectedBehaviors: ['*'] });
    expect(() => f.app.synth()).not.toThrow();
  });

  test('a cached behavior without the identity header in its cache key', () => {
    // the fixture's own default behavior: CachePolicy.CACHING_OPTIMIZED (CloudFront's default)
    expect(errorOf({}, {}, false)).toBeUndefined();
    const f = fixture();
    addAuth(f, SESSION);
    expect(() => f.app.synth()).toThrow(/the default behavior \('\*'\) caches without the identity header x-cognito-edge-auth-user in its cache key/);
    expect(errorOf({}, { behaviors: { '/cached/*': { cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED } } }))
      .toMatch(/behavior '\/cached\/\*' caches without the identity header/);
    const g = sessionFixture();
    const other = new cloudfront.CachePolicy(g.stack, 'ByLanguage', { headerBehavior: cloudfront.CacheHeaderBehavior.allowList('accept-language') });
    g.distribution.addBehavior('/i18n/*', ORIGIN, { cachePolicy: other });
    addAuth(g, SESSION);
    expect(() => g.app.synth()).toThrow(/behavior '\/i18n\/\*' caches without the identity header/);
  });

  test('addDistribution', () => {
    const f = sessionFixture();
    const auth: CognitoEdgeAuth = addAuth(f, SESSION);
    const other = new cloudfront.Distribution(f.stack, 'Other', { defaultBehavior: { origin: ORIGIN } });
    expect(() => auth.addDistribution(other)).toThrow(/addDistribution is not available with viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION/);
  });
});

test('the viewer-config module the construct loads is built from the shared source', () => {
  const dir = path.join(__dirname, '..', '..', 'assets', 'viewer-function');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require(path.join(dir, 'config.js'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const source = require('../../lambda-src/shared/viewer-config');
  const input = { authPrefix: '/x/', cookieNamePrefix: 'P', signOutPath: '/x/out', requiredGroups: ['a'], pathRules: [{ pathPattern: '/b/*', requiredGroups: ['b'] }] };
  expect(built.buildViewerConfig(input)).toEqual(source.buildViewerConfig(input));
  expect(built.VIEWER_FUNCTION_MAX_BYTES).toEqual(source.VIEWER_FUNCTION_MAX_BYTES);
  expect(fs.existsSync(path.join(dir, 'index.js'))).toBe(true);
});

test('session-mode logical ids are pinned (public contract: a new store would lose the keys)', () => {
  const { template } = synthSession({}, { region: 'eu-west-1' });
  const ids = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
    .filter(([, r]) => r.Type === 'AWS::CloudFront::KeyValueStore' || r.Type === 'AWS::CloudFront::Function')
    .map(([id, r]) => `${id} ${r.Type}`);
  expect(ids.sort()).toEqual(['AuthSessionKeys22E0647B AWS::CloudFront::KeyValueStore', 'AuthViewerFunctionECCC8BF3 AWS::CloudFront::Function']);
});

describe('the edge bundle of each mode', () => {
  /** The hash of an asset made from `assets/<dir>` as createEdgeBundle makes it (index.js only). */
  function hashOf(dir: string): string {
    const asset = new s3assets.Asset(new Stack(), 'Probe', { path: path.join(__dirname, '..', '..', 'assets', dir), exclude: ['*', '!index.js'] });
    return asset.assetHash;
  }
  /** The hash of the construct's `EdgeBundle` asset and the bundle key its config custom resource gets. */
  function bundleOf(session: boolean): { hash: string; key: unknown } {
    const f = session ? sessionFixture() : fixture();
    const auth = addAuth(f, session ? SESSION : {});
    const asset = auth.node.findChild('EdgeBundle') as s3assets.Asset;
    const [resource] = Object.values(Template.fromStack(f.stack).findResources('Custom::CognitoEdgeAuthConfig'));
    return { hash: asset.assetHash, key: resource.Properties.BundleS3Key };
  }

  test('session mode ships assets/edge-auth-session (with session mode), Lambda@Edge mode assets/edge-auth (without)', () => {
    const session = bundleOf(true);
    const lambdaEdge = bundleOf(false);
    expect(session.hash).toEqual(hashOf('edge-auth-session'));
    expect(lambdaEdge.hash).toEqual(hashOf('edge-auth'));
    expect(session.hash).not.toEqual(lambdaEdge.hash);
    // the config custom resource writes config.json into the mode's bundle
    expect(JSON.stringify(session.key)).toContain(session.hash);
    expect(JSON.stringify(lambdaEdge.key)).toContain(lambdaEdge.hash);
  });
});

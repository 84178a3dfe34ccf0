import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, addAuth, fixture, supportStack } from './helpers';
import { CognitoEdgeAuth } from '../../src';

/** Build and synthesise; returns the error message or undefined. */
function errorOf(props: Parameters<typeof addAuth>[1], options: Parameters<typeof fixture>[0] = {}): string | undefined {
  try {
    const f = fixture(options);
    addAuth(f, props);
    f.app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function warningsOf(props: Parameters<typeof addAuth>[1], options: Parameters<typeof fixture>[0] = {}) {
  const f = fixture(options);
  addAuth(f, props);
  return Annotations.fromStack(f.stack);
}

const cert = () => acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

describe('environment', () => {
  test.each([
    ['no env', {}],
    ['region only', { region: 'eu-west-1' }],
    ['account only', { account: ACCOUNT }],
  ])('%s: error says to set env', (_name, env) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env });
    const pool = new cognito.UserPool(stack, 'P');
    const distribution = new cloudfront.Distribution(stack, 'D', { defaultBehavior: { origin: new origins.HttpOrigin('o.example.com') } });
    expect(() => new CognitoEdgeAuth(stack, 'Auth', {
      distribution, userPool: pool, userPoolClient: pool.addClient('C'), userPoolDomain: pool.addDomain('Dom', { cognitoDomain: { domainPrefix: 'x' } }),
    })).toThrow(/explicit account and region.*set env on the stack/);
  });
});

describe('client', () => {
  test('without the authorization code grant', () => {
    expect(errorOf({}, { clientOptions: { oAuth: { flows: { implicitCodeGrant: true } } } }))
      .toMatch(/userPoolClient must allow the OAuth authorization code grant \(its flows: \["implicit"\]\).*turn on authorizationCodeGrant \(authorization_code_grant in Python\)/);
  });

  test('with OAuth disabled', () => {
    expect(errorOf({}, { clientOptions: { disableOAuth: true, oAuth: undefined } })).toMatch(/userPoolClient has OAuth disabled; drop disableOAuth and turn on authorizationCodeGrant/);
  });

  test('a default CDK client (code + implicit) is fine', () => {
    expect(errorOf({}, { clientOptions: { oAuth: undefined } })).toBeUndefined();
  });

  test('scopes the client does not allow', () => {
    expect(errorOf({ oauthScopes: [cognito.OAuthScope.PHONE] }, {
      clientOptions: { oAuth: { flows: { authorizationCodeGrant: true }, scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL] } },
    })).toMatch(/oauthScopes asks for phone, which userPoolClient does not allow \(it allows openid, email\)/);
  });

  test('identity provider the client does not support', () => {
    expect(errorOf({ identityProvider: 'EntraID' })).toMatch(/identityProvider "EntraID" is not a supported identity provider of userPoolClient \(COGNITO\)/);
  });
});

describe('paths', () => {
  test.each([
    ['callbackPath', 'auth/callback'],
    ['callbackPath', '/cb?x=1'],
    ['signOutPath', '/out#x'],
    ['signOutPath', '/sign out'],
    ['signOutRedirectPath', 'https://example.com/'],
    ['callbackPath', '/auth/*'],
  ])('%s %j is rejected', (prop, value) => {
    expect(errorOf({ [prop]: value })).toMatch(new RegExp(`${prop} must be an absolute path in canonical form, e.g. '\\/_auth\\/callback'.*got ${JSON.stringify(value).replace(/[?*]/g, '\\$&')}`));
  });

  test('collisions', () => {
    expect(errorOf({ callbackPath: '/x', signOutPath: '/x' })).toMatch(/signOutPath must be different from callbackPath, got "\/x"/);
    expect(errorOf({ signOutRedirectPath: '/_auth/signout' })).toMatch(/signOutRedirectPath must be a page of the site such as '\/', not callbackPath or signOutPath/);
    expect(errorOf({ signOutRedirectPath: '/_auth/callback' })).toMatch(/signOutRedirectPath must be a page of the site such as '\/', not callbackPath or signOutPath/);
    expect(errorOf({ callbackPath: '/' })).toMatch(/callbackPath must be a dedicated path such as '\/_auth\/callback', not '\/'/);
  });

  test('callbackPath served by an unprotected behavior', () => {
    expect(errorOf({ protectedBehaviors: ['/app/*'] }, { behaviors: { '/app/*': {} } }))
      .toMatch(/callbackPath "\/_auth\/callback" is served by behavior "\*", which is not in protectedBehaviors/);
    expect(errorOf({ protectedBehaviors: ['*'] }, { behaviors: { '/_auth/*': {} } }))
      .toMatch(/signOutPath "\/_auth\/signout" is served by behavior "\/_auth\/\*"/);
  });
});

describe('identityProvider', () => {
  test.each(['_x', 'ab', 'a b c', 'x'.repeat(33), 'Entra_'])('%j is rejected', (name) => {
    expect(errorOf({ identityProvider: name })).toMatch(/identityProvider must be the name of an identity provider/);
  });
});

describe('groups and path rules', () => {
  test('invalid group names', () => {
    expect(errorOf({ requiredGroups: ['two words'] })).toMatch(/requiredGroups must be a Cognito group name \(1–128 characters, no whitespace\), got "two words"/);
    expect(errorOf({ requiredGroups: [''] })).toMatch(/requiredGroups must be a Cognito group name/);
    expect(errorOf({ pathAuthorizations: [{ pathPattern: '/a/*', requiredGroups: ['x y'] }] }))
      .toMatch(/pathAuthorizations\[0\]\.requiredGroups must be a Cognito group name/);
  });

  test('invalid path pattern', () => {
    expect(errorOf({ pathAuthorizations: [{ pathPattern: '', requiredGroups: [] }] })).toMatch(/pathAuthorizations\[0\]\.pathPattern must be a CloudFront path pattern/);
    expect(errorOf({ pathAuthorizations: [{ pathPattern: '/a b', requiredGroups: [] }] })).toMatch(/pathAuthorizations\[0\]\.pathPattern/);
  });

  test('warnings: empty requiredGroups, shadowed rule', () => {
    warningsOf({ requiredGroups: [] }).hasWarning('/Site/Auth', Match.stringLikeRegexp('requiredGroups: an empty list has no effect'));
    warningsOf({ pathAuthorizations: [{ pathPattern: '/a/*', requiredGroups: ['x'] }, { pathPattern: '/a/*', requiredGroups: ['y'] }] })
      .hasWarning('/Site/Auth', Match.stringLikeRegexp('the rule for "/a/\\*" at index 1 is never used'));
  });
});

describe('protectedBehaviors', () => {
  test('a pattern the distribution does not have', () => {
    expect(errorOf({ protectedBehaviors: ['*', '/nope/*'] }, { behaviors: { '/api/*': {} } }))
      .toMatch(/protectedBehaviors names "\/nope\/\*", which is not a behavior of the distribution \(it has: "\/api\/\*", "\*"\)/);
  });

  test('empty list', () => {
    expect(errorOf({ protectedBehaviors: [] })).toMatch(/protectedBehaviors must name at least one behavior/);
  });

  test('duplicate warns', () => {
    warningsOf({ protectedBehaviors: ['*', '*'] }).hasWarning('/Site/Auth', Match.stringLikeRegexp('"\\*" is listed twice'));
  });

  test('a behavior that already has a viewer-request Lambda@Edge function', () => {
    const f = fixture({ region: 'us-east-1' });
    const fn = new lambda.Function(f.stack, 'Mine', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async e=>e'),
    });
    f.distribution.addBehavior('/mine/*', new origins.HttpOrigin('o.example.com'), {
      edgeLambdas: [{ eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, functionVersion: fn.currentVersion }],
    });
    addAuth(f);
    expect(() => f.app.synth()).toThrow(/behavior '\/mine\/\*' already has a viewer-request Lambda@Edge function.*leave the behavior out of protectedBehaviors/);
  });

  test('a behavior with a CloudFront Function on a viewer event', () => {
    const f = fixture();
    const cff = new cloudfront.Function(f.stack, 'Cff', { code: cloudfront.FunctionCode.fromInline('function handler(e){return e.response}') });
    f.distribution.addBehavior('/cff/*', new origins.HttpOrigin('o.example.com'), {
      functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE, function: cff }],
    });
    addAuth(f);
    expect(() => f.app.synth()).toThrow(/behavior '\/cff\/\*' has a CloudFront Function on a viewer event/);
  });

  test('two constructs on the same distribution: refused when the second is created, naming both', () => {
    const f = fixture({ behaviors: { '/a/*': {} } });
    addAuth(f, { protectedBehaviors: ['*'] });
    expect(() => new CognitoEdgeAuth(f.stack, 'Again', {
      distribution: f.distribution,
      userPool: f.userPool,
      userPoolClient: f.userPoolClient,
      userPoolDomain: f.userPoolDomain,
      protectedBehaviors: ['/a/*'],
    })).toThrow(/^CognitoEdgeAuth: distribution Site\/Distribution is already protected by the CognitoEdgeAuth at Site\/Auth; .*use one instance.* \(at Site\/Again\)$/);
  });
});

describe('cookieSettings', () => {
  test('path other than / without domain', () => {
    expect(errorOf({ cookieSettings: { path: '/app' } }))
      .toMatch(/cookieSettings.path must be '\/' when no cookie domain is set \(host-only cookies use the __Host- prefix, which requires Path=\/\); leave the path out or set the domain/);
  });

  test('bad values', () => {
    expect(errorOf({ cookieSettings: { namePrefix: 'a b' } })).toMatch(/cookieSettings.namePrefix must be 1–64 letters, digits, '_', '.' or '-', got "a b"/);
    expect(errorOf({ cookieSettings: { namePrefix: '__Host-X' } })).toMatch(/must be given without a __Host- or __Secure- prefix/);
    expect(errorOf({ cookieSettings: { domain: 'https://example.com' } })).toMatch(/cookieSettings.domain must be a DNS name/);
    expect(errorOf({ cookieSettings: { domain: 'example.com', path: 'app' } }, { distributionProps: { domainNames: ['www.example.com'], certificate: cert() } }))
      .toMatch(/cookieSettings.path must be an absolute path/);
    expect(errorOf({ cookieSettings: { tokenMaxAge: Duration.seconds(30) } })).toMatch(/cookieSettings.tokenMaxAge must be a whole number of seconds from 1 minute to 400 days, got "30 seconds"/);
    expect(errorOf({ cookieSettings: { tokenMaxAge: Duration.days(401) } })).toMatch(/cookieSettings.tokenMaxAge must be a whole number of seconds from 1 minute to 400 days, got "401 days"/);
  });

  test('domain covering none of the aliases', () => {
    expect(errorOf({ cookieSettings: { domain: 'other.org' } }, { distributionProps: { domainNames: ['www.example.com'], certificate: cert() } }))
      .toMatch(/cookieSettings.domain "other.org" covers none of the distribution's domain names \(www.example.com\)/);
    expect(errorOf({ cookieSettings: { domain: 'example.com' } })).toMatch(/covers none of the distribution's domain names \(none\)/);
  });

  test('domain set: an info (not a warning, so `cdk synth --strict` passes); tokenMaxAge beyond a day: a warning', () => {
    const domainSet = warningsOf({ cookieSettings: { domain: 'example.com' } }, { distributionProps: { domainNames: ['www.example.com'], certificate: cert() } });
    domainSet.hasInfo('/Site/Auth', Match.stringLikeRegexp('logins work only on hosts inside example.com'));
    domainSet.hasNoWarning('/Site/Auth', Match.anyValue());
    warningsOf({ cookieSettings: { tokenMaxAge: Duration.days(2) } })
      .hasWarning('/Site/Auth', Match.stringLikeRegexp('tokenMaxAge: 2 days is ignored beyond 1 day'));
  });

  test('SameSite=None is allowed (the cookies are always Secure)', () => {
    expect(errorOf({ cookieSettings: { sameSite: 'None' as never } })).toBeUndefined();
  });
});

describe('runtime, removalPolicy, refreshTokenValidity, domain', () => {
  test.each([
    ['python', lambda.Runtime.PYTHON_3_12],
    ['node 18', lambda.Runtime.NODEJS_18_X],
  ])('runtime %s is rejected', (_n, runtime) => {
    expect(errorOf({ runtime })).toMatch(/runtime must be a Node.js runtime, 20 or later.*got (python3.12|nodejs18.x)/);
  });

  test('runtime Node.js 20 is accepted with a warning; the default is Node.js 22, without one', () => {
    const f = fixture();
    addAuth(f, { runtime: lambda.Runtime.NODEJS_20_X });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp('runtime: Node.js 20 left Lambda\'s standard support.*use Runtime.NODEJS_22_X'));
    Template.fromStack(supportStack(f)).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs20.x' });
    const d = fixture();
    addAuth(d, {});
    Template.fromStack(supportStack(d)).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
    expect(() => Annotations.fromStack(d.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp('runtime'))).toThrow();
  });

  test('protected behaviors that allow plain HTTP warn (by name); unprotected ones and HTTPS ones do not', () => {
    const allowAll = { viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.ALLOW_ALL };
    const origin = new origins.HttpOrigin('origin.example.com');
    const f = fixture({ distributionProps: { defaultBehavior: { origin } }, behaviors: { '/api/*': allowAll, '/public/*': allowAll, '/docs/*': {} } });
    addAuth(f, { protectedBehaviors: ['*', '/api/*', '/docs/*'] });
    const warnings = Annotations.fromStack(f.stack).findWarning('/Site/Auth', Match.stringLikeRegexp('allow plain HTTP'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(/^protected behavior\(s\) "\/api\/\*", "\*" allow plain HTTP: .*set viewerProtocolPolicy to REDIRECT_TO_HTTPS/);
    expect(String(warnings[0].entry.data)).not.toMatch(/public|docs/);
  });

  test('removalPolicy DESTROY warns', () => {
    warningsOf({ removalPolicy: RemovalPolicy.DESTROY }).hasWarning('/Site/Auth', Match.stringLikeRegexp('removalPolicy: DESTROY makes deleting the stack'));
    expect(() => warningsOf({}).hasWarning('/Site/Auth', Match.anyValue())).toThrow();
  });

  test('refreshTokenValidity out of range', () => {
    expect(errorOf({ refreshTokenValidity: Duration.minutes(30) })).toMatch(/refreshTokenValidity must be a whole number of seconds from 1 hour to 3650 days \(Cognito's range\), got "30 minutes"/);
    expect(errorOf({ refreshTokenValidity: Duration.days(4000) })).toMatch(/refreshTokenValidity must be a whole number of seconds from 1 hour to 3650 days/);
  });

  test('an imported domain whose name is a token warns', () => {
    const f = fixture({ imported: true });
    const name = new CfnParameter(f.stack, 'DomainName').valueAsString;
    addAuth(f, { userPoolDomain: cognito.UserPoolDomain.fromDomainName(f.stack, 'TokenDomain', name) });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp('userPoolDomain: the imported domain name is a token'));
    Template.fromStack(f.stack).hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
      AuthDomain: { 'Fn::Join': ['', ['https://', { Ref: 'DomainName' }, '.auth.eu-west-1.amazoncognito.com']] },
    });
  });

  test('a token path is rejected', () => {
    const f = fixture();
    const p = new CfnParameter(f.stack, 'P').valueAsString;
    expect(() => addAuth(f, { callbackPath: p })).toThrow(/callbackPath must be known at synth time/);
  });
});

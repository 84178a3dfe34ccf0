import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { addAuth, associations, edgeConfig, fixture, supportStack } from './helpers';
import { LogLevel, SameSite } from '../../src';
import { clientRendering } from '../../src/private/client-rendering';

function configWith(props: Parameters<typeof addAuth>[1], options: Parameters<typeof fixture>[0] = {}) {
  const f = fixture(options);
  addAuth(f, props);
  return edgeConfig(Template.fromStack(f.stack));
}

describe('EdgeConfig (what reaches config.json)', () => {
  test('defaults', () => {
    expect(configWith({})).toEqual({
      callbackPath: '/_auth/callback',
      signOutPath: '/_auth/signout',
      scopes: ['openid', 'email', 'profile'],
      forwardAuthCookies: false,
      logLevel: 'warn',
    });
  });

  test('identityProvider', () => {
    const f = fixture({ clientOptions: { supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.custom('EntraID')] } });
    addAuth(f, { identityProvider: 'EntraID' });
    expect(edgeConfig(Template.fromStack(f.stack)).identityProvider).toBe('EntraID');
  });

  test('oauthScopes: openid is always first, duplicates dropped, custom scopes kept', () => {
    const f = fixture({
      clientOptions: {
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.custom('api/read')],
        },
      },
    });
    addAuth(f, { oauthScopes: [cognito.OAuthScope.EMAIL, cognito.OAuthScope.OPENID, cognito.OAuthScope.custom('api/read')] });
    expect(edgeConfig(Template.fromStack(f.stack)).scopes).toEqual(['openid', 'email', 'api/read']);
  });

  test('callbackPath, signOutPath, signOutRedirectPath', () => {
    expect(configWith({ callbackPath: '/auth/cb', signOutPath: '/auth/out', signOutRedirectPath: '/bye.html' })).toMatchObject({
      callbackPath: '/auth/cb', signOutPath: '/auth/out', signOutLandingPath: '/bye.html',
    });
  });

  test('cookieSettings', () => {
    const c = configWith({
      cookieSettings: { namePrefix: 'Site', sameSite: SameSite.STRICT, domain: 'example.com', path: '/app', tokenMaxAge: Duration.minutes(30) },
    }, { distributionProps: { domainNames: ['www.example.com'], certificate: cert() } });
    expect(c.cookies).toEqual({ namePrefix: 'Site', sameSite: 'Strict', domain: 'example.com', path: '/app', tokenMaxAgeSeconds: 1800 });
    expect(configWith({ cookieSettings: {} }).cookies).toBeUndefined();
    expect(configWith({ cookieSettings: { sameSite: SameSite.NONE } }).cookies).toEqual({ sameSite: 'None' });
  });

  test('requiredGroups and pathAuthorizations', () => {
    expect(configWith({
      requiredGroups: ['staff'],
      pathAuthorizations: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/public/*', requiredGroups: [] }],
    })).toMatchObject({
      requiredGroups: ['staff'],
      pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/public/*', requiredGroups: [] }],
    });
  });

  test('aliases of the distribution', () => {
    expect(configWith({}, { distributionProps: { domainNames: ['www.example.com', 'example.com'], certificate: cert() } }).aliases)
      .toEqual(['www.example.com', 'example.com']);
  });

  test('logLevel, forwardAuthCookies, refreshTokenValidity', () => {
    expect(configWith({ logLevel: LogLevel.DEBUG, forwardAuthCookies: true, refreshTokenValidity: Duration.days(7) })).toMatchObject({
      logLevel: 'debug', forwardAuthCookies: true, refreshTokenValiditySeconds: 604800,
    });
    expect(configWith({ logLevel: LogLevel.NONE }).logLevel).toBe('none');
    expect(configWith({}).refreshTokenValiditySeconds).toBeUndefined();
  });
});

describe('protectedBehaviors', () => {
  test('default: every behavior, including ones added after the construct', () => {
    const f = fixture({ behaviors: { '/api/*': {} } });
    addAuth(f);
    f.distribution.addBehavior('/late/*', new origins.HttpOrigin('late.example.com'));
    const a = associations(Template.fromStack(f.stack));
    expect(Object.keys(a).sort()).toEqual(['*', '/api/*', '/late/*']);
    for (const list of Object.values(a)) expect(list).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
  });

  test('only the named behaviors; a pattern without leading slash matches', () => {
    const f = fixture({ behaviors: { '/api/*': {}, 'static/*': {} } });
    addAuth(f, { protectedBehaviors: ['*', '/static/*'] });
    const a = associations(Template.fromStack(f.stack));
    expect(a['*']).toHaveLength(1);
    expect(a['static/*']).toHaveLength(1);
    expect(a['/api/*']).toBeUndefined();
  });

  test('associations for other event types are kept', () => {
    const f = fixture({ region: 'us-east-1' });
    const other = new lambda.Function(f.stack, 'Other', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async e=>e'),
    });
    const dist = new cloudfront.Distribution(f.stack, 'Dist2', {
      defaultBehavior: {
        origin: new origins.HttpOrigin('o.example.com'),
        edgeLambdas: [{ eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST, functionVersion: other.currentVersion }],
      },
    });
    addAuth({ ...f, distribution: dist });
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          LambdaFunctionAssociations: [
            Match.objectLike({ EventType: 'origin-request', LambdaFunctionARN: { Ref: Match.stringLikeRegexp('^OtherCurrentVersion') } }),
            Match.objectLike({ EventType: 'viewer-request', LambdaFunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthEdgeConfig'), 'VersionArn'] } }),
          ],
        }),
      }),
    });
  });
});

describe('other props', () => {
  test('runtime', () => {
    const f = fixture();
    addAuth(f, { runtime: lambda.Runtime.NODEJS_22_X });
    Template.fromStack(supportStack(f)).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  test('registerCallbackUrls: on by default with every domain; off removes the resource and the update permission', () => {
    const f = fixture({ distributionProps: { domainNames: ['www.example.com'], certificate: cert() } });
    const auth = addAuth(f, { callbackPath: '/cb', signOutRedirectPath: '/bye' });
    const t = Template.fromStack(f.stack);
    const domain = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] };
    t.hasResourceProperties('Custom::CognitoEdgeAuthCallbackUrls', {
      UserPoolId: { Ref: Match.stringLikeRegexp('^Pool') },
      ClientId: { Ref: Match.stringLikeRegexp('^PoolClient') },
      CallbackUrls: [{ 'Fn::Join': ['', ['https://', domain, '/cb']] }, 'https://www.example.com/cb'],
      LogoutUrls: [{ 'Fn::Join': ['', ['https://', domain, '/bye']] }, 'https://www.example.com/bye'],
    });
    expect(auth.callbackUrls).toHaveLength(2);
    expect(auth.callbackUrls[1]).toBe('https://www.example.com/cb');
    expect(f.stack.resolve(auth.callbackUrls[0])).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.any(String), 'DomainName'] }, '/cb']] });

    const g = fixture();
    addAuth(g, { registerCallbackUrls: false });
    const t2 = Template.fromStack(g.stack);
    t2.resourceCountIs('Custom::CognitoEdgeAuthCallbackUrls', 0);
    expect(JSON.stringify(t2.findResources('AWS::IAM::Policy'))).not.toContain('UpdateUserPoolClient');
  });

  test('sign-out URL: by default the signed-out page the edge function serves, beside signOutPath, on every domain', () => {
    const domain = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] };
    const logoutUrls = (props: Parameters<typeof addAuth>[1]) => {
      const f = fixture({ distributionProps: { domainNames: ['www.example.com'], certificate: cert() } });
      addAuth(f, props);
      const [urls] = Object.values(Template.fromStack(f.stack).findResources('Custom::CognitoEdgeAuthCallbackUrls'));
      return urls.Properties.LogoutUrls;
    };
    expect(logoutUrls({})).toEqual([{ 'Fn::Join': ['', ['https://', expect.anything(), '/_auth/signed-out']] }, 'https://www.example.com/_auth/signed-out']);
    expect(logoutUrls({ signOutPath: '/auth/out' })).toEqual([expect.anything(), 'https://www.example.com/auth/signed-out']);
    // the sibling would be the callback path: the page goes below the sign-out path
    expect(logoutUrls({ signOutPath: '/a/bye', callbackPath: '/a/signed-out' })).toEqual([expect.anything(), 'https://www.example.com/a/bye/signed-out']);
    expect(logoutUrls({ signOutRedirectPath: '/' })).toEqual([expect.anything(), 'https://www.example.com/']);
    // without signOutRedirectPath the edge function picks the same page itself: nothing in config.json
    const f = fixture();
    addAuth(f, {});
    const t = Template.fromStack(f.stack);
    expect(edgeConfig(t)).not.toHaveProperty('signOutLandingPath');
    t.hasResourceProperties('Custom::CognitoEdgeAuthCallbackUrls', { LogoutUrls: [{ 'Fn::Join': ['', ['https://', domain, '/_auth/signed-out']] }] });
  });

  test('the client fingerprint follows changes of an in-app client', () => {
    const fp = (callbackUrls: string[]) => {
      const f = fixture({ clientOptions: { oAuth: { flows: { authorizationCodeGrant: true }, callbackUrls } } });
      addAuth(f);
      return Object.values(Template.fromStack(f.stack).findResources('Custom::CognitoEdgeAuthConfig'))[0].Properties.ClientFingerprint;
    };
    expect(fp(['https://a.example.com/'])).toBe(fp(['https://a.example.com/']));
    expect(fp(['https://a.example.com/'])).not.toBe(fp(['https://b.example.com/']));
  });

  test('without CfnResource._toCloudFormation (a future aws-cdk-lib), the rendering still follows the client', () => {
    const rendering = (callbackUrls: string[]) => {
      const f = fixture({ clientOptions: { oAuth: { flows: { authorizationCodeGrant: true }, callbackUrls } } });
      const cfn = f.userPoolClient.node.defaultChild as cognito.CfnUserPoolClient;
      const withoutRender = Object.create(cfn, { _toCloudFormation: { value: undefined } }) as cognito.CfnUserPoolClient;
      return JSON.stringify(f.stack.resolve(clientRendering(withoutRender)));
    };
    expect(rendering(['https://a.example.com/'])).toContain('https://a.example.com/');
    expect(rendering(['https://a.example.com/'])).toBe(rendering(['https://a.example.com/']));
    expect(rendering(['https://a.example.com/'])).not.toBe(rendering(['https://b.example.com/']));
  });
});

describe('imported Cognito resources', () => {
  test('pool, client and prefix domain by id/name', () => {
    const f = fixture({ imported: true });
    addAuth(f);
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
      UserPoolId: 'eu-west-1_AbCdEf123',
      ClientId: '1example23456789',
      AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
      ClientFingerprint: Match.absent(),
    });
    t.hasResourceProperties('Custom::CognitoEdgeAuthCallbackUrls', { UserPoolId: 'eu-west-1_AbCdEf123', ClientId: '1example23456789' });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123']] },
        })]),
      },
    });
  });

  test('a custom domain (imported by name, or created)', () => {
    const f = fixture({ imported: true });
    addAuth(f, { userPoolDomain: cognito.UserPoolDomain.fromDomainName(f.stack, 'Custom', 'auth.example.com') });
    Template.fromStack(f.stack).hasResourceProperties('Custom::CognitoEdgeAuthConfig', { AuthDomain: 'https://auth.example.com' });

    const g = fixture();
    const domain = (g.userPool as cognito.UserPool).addDomain('CustomDomain', { customDomain: { domainName: 'login.example.com', certificate: cert(g.stack) } });
    addAuth(g, { userPoolDomain: domain });
    Template.fromStack(g.stack).hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
      AuthDomain: { 'Fn::Join': ['', ['https://', { Ref: Match.stringLikeRegexp('^PoolCustomDomain') }]] },
    });
  });
});

let certCount = 0;
function cert(stack?: Stack) {
  const s = stack ?? new Stack();
  return acm.Certificate.fromCertificateArn(s, `Cert${certCount++}`, 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
}

/**
 * Several CognitoEdgeAuth in one app, and distributions the construct does not edit itself:
 * one instance per distribution, distinct cookie names where sessions could meet, the EdgeLambda
 * for behaviors users attach themselves, addDistribution, and the cross-stack message.
 */
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ACCOUNT, addAuth, edgeConfig, fixture, Fixture } from './helpers';
import { CognitoEdgeAuth, CognitoEdgeAuthProps } from '../../src';

const origin = () => new origins.HttpOrigin('o.example.com');
const cert = (scope: Stack) => acm.Certificate.fromCertificateArn(scope, `C${scope.node.children.length}`, 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

function distributionIn(scope: Stack, id: string, domainNames?: string[]): cloudfront.Distribution {
  return new cloudfront.Distribution(scope, id, {
    defaultBehavior: { origin: origin(), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    ...(domainNames ? { domainNames, certificate: cert(scope) } : {}),
  });
}

function second(f: Fixture, id: string, props: Partial<CognitoEdgeAuthProps>): CognitoEdgeAuth {
  return new CognitoEdgeAuth(f.stack, id, {
    distribution: distributionIn(f.stack, `${id}Distribution`),
    userPool: f.userPool,
    userPoolClient: f.userPoolClient,
    userPoolDomain: f.userPoolDomain,
    ...props,
  });
}

describe('several instances', () => {
  test('on different distributions with host-only cookies: fine with the default cookie names', () => {
    const f = fixture();
    addAuth(f);
    second(f, 'Docs', {});
    expect(() => f.app.synth()).not.toThrow();
    Template.fromStack(f.stack).resourceCountIs('Custom::CognitoEdgeAuthConfig', 2);
  });

  test('sharing a parent cookie domain with the same cookie names: a synth error that names both and the fix', () => {
    const f = fixture({ distributionProps: { domainNames: ['app.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    addAuth(f, { cookieSettings: { domain: 'example.com' } });
    new CognitoEdgeAuth(f.stack, 'Docs', {
      distribution: distributionIn(f.stack, 'DocsDistribution', ['docs.example.com']),
      userPool: f.userPool,
      userPoolClient: f.userPoolClient,
      userPoolDomain: f.userPoolDomain,
    });
    expect(() => f.app.synth()).toThrow(/\[Site\/Docs\] CognitoEdgeAuth: its session cookies and those of the CognitoEdgeAuth at Site\/Auth have the same names \(cookieSettings.namePrefix "CognitoEdgeAuth"\) and both reach hosts in example.com.*give each instance its own cookieSettings.namePrefix/);
  });

  test('sharing a parent cookie domain with distinct name prefixes: fine', () => {
    const f = fixture({ distributionProps: { domainNames: ['app.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    addAuth(f, { cookieSettings: { domain: 'example.com', namePrefix: 'App' } });
    new CognitoEdgeAuth(f.stack, 'Docs', {
      distribution: distributionIn(f.stack, 'DocsDistribution', ['docs.example.com']),
      userPool: f.userPool,
      userPoolClient: f.userPoolClient,
      userPoolDomain: f.userPoolDomain,
      cookieSettings: { domain: 'example.com', namePrefix: 'Docs' },
    });
    expect(() => f.app.synth()).not.toThrow();
  });

  test('instances in separate apps never see each other', () => {
    const f = fixture({ distributionProps: { domainNames: ['app.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    addAuth(f, { cookieSettings: { domain: 'example.com' } });
    const g = fixture({ distributionProps: { domainNames: ['docs.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    addAuth(g, { cookieSettings: { domain: 'example.com' } });
    expect(() => f.app.synth()).not.toThrow();
    expect(() => g.app.synth()).not.toThrow();
  });
});

describe('errors name the construct path', () => {
  test('a thrown error ends with the path and carries it', () => {
    const f = fixture();
    let error: Error & { constructPath?: string } = new Error();
    try {
      addAuth(f, { callbackPath: 'no-slash' });
    } catch (e) {
      error = e as Error;
    }
    expect(error.message).toMatch(/^CognitoEdgeAuth: callbackPath must be an absolute path.* \(at Site\/Auth\)$/);
    expect(error.constructPath).toBe('Site/Auth');
  });

  test('two instances: the second one\'s error names the second one', () => {
    const f = fixture();
    addAuth(f);
    expect(() => second(f, 'Docs', { signOutPath: 'x' })).toThrow(/signOutPath must be an absolute path.* \(at Site\/Docs\)$/);
  });
});

describe('attributes', () => {
  test('edgeLambda, functionName, stateSecret, callbackUrls, logoutUrls and the alias-only URLs', () => {
    const f = fixture({ distributionProps: { domainNames: ['www.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    const auth = addAuth(f, { signOutRedirectPath: '/bye' });
    expect(auth.edgeLambda.eventType).toBe(cloudfront.LambdaEdgeEventType.VIEWER_REQUEST);
    expect(auth.edgeLambda.includeBody).toBe(false);
    expect(auth.edgeLambda.functionVersion).toBe(auth.functionVersion);
    // CloudFormation names the function; in this stack (eu-west-1) its name is read from the version ARN
    expect(f.stack.resolve(auth.functionName)).toEqual({ 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': [expect.stringMatching(/^AuthEdgeConfig/), 'VersionArn'] }] }] });
    const east = fixture({ region: 'us-east-1' });
    expect(east.stack.resolve(addAuth(east).functionName)).toEqual({ Ref: expect.stringMatching(/^AuthEdgeFunction/) });
    expect(f.stack.resolve(auth.stateSecret.secretArn)).toEqual({ Ref: expect.stringMatching(/^AuthStateSecret/) });
    const resolved = (urls: string[]) => urls.map((u) => JSON.stringify(f.stack.resolve(u)));
    expect(resolved(auth.callbackUrls)).toEqual([
      expect.stringMatching(/\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetAtt":\["Distribution[0-9A-F]+","DomainName"\]\},"\/_auth\/callback"\]\]\}/),
      '"https://www.example.com/_auth/callback"',
    ]);
    expect(resolved(auth.logoutUrls)[1]).toBe('"https://www.example.com/bye"');
    expect(auth.aliasCallbackUrls).toEqual(['https://www.example.com/_auth/callback']);
    expect(auth.aliasLogoutUrls).toEqual(['https://www.example.com/bye']);
    // the registration resource carries the same lists
    Template.fromStack(f.stack).hasResourceProperties('Custom::CognitoEdgeAuthCallbackUrls', {
      CallbackUrls: [f.stack.resolve(auth.callbackUrls[0]), 'https://www.example.com/_auth/callback'],
      LogoutUrls: [f.stack.resolve(auth.logoutUrls[0]), 'https://www.example.com/bye'],
    });
  });

  test('the alias-only URLs can go on the oAuth.callbackUrls of a client in the same stack: they do not reference the distribution', () => {
    const f = fixture({ distributionProps: { domainNames: ['www.example.com'], certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/abc') } });
    const auth = addAuth(f);
    // callbackUrls[0] is the distribution's own name: a reference to it (a cycle on an in-app client)
    expect(JSON.stringify(f.stack.resolve(auth.callbackUrls[0]))).toMatch(/"Fn::GetAtt":\["Distribution[0-9A-F]+","DomainName"\]/);
    const cfnClient = f.userPoolClient.node.defaultChild as unknown as { callbackUrLs?: string[] };
    cfnClient.callbackUrLs = auth.aliasCallbackUrls;
    const client = Object.values(Template.fromStack(f.stack).findResources('AWS::Cognito::UserPoolClient'))[0];
    expect(client.Properties.CallbackURLs).toEqual(['https://www.example.com/_auth/callback']);
  });
});

describe('addDistribution: another distribution served by the same function', () => {
  test('its callback and sign-out URLs are registered and its domain names become allowed hosts', () => {
    const f = fixture();
    const auth = addAuth(f);
    const other = new cloudfront.CfnDistribution(f.stack, 'Legacy', {
      distributionConfig: {
        enabled: true,
        aliases: ['legacy.example.com'],
        defaultCacheBehavior: {
          targetOriginId: 'o',
          viewerProtocolPolicy: 'redirect-to-https',
          cachePolicyId: 'x',
          lambdaFunctionAssociations: [{ eventType: auth.edgeLambda.eventType, lambdaFunctionArn: auth.edgeLambda.functionVersion.edgeArn }],
        },
        origins: [{ id: 'o', domainName: 'o.example.com', customOriginConfig: { originProtocolPolicy: 'https-only' } }],
      },
    });
    auth.addDistribution(cloudfront.Distribution.fromDistributionAttributes(f.stack, 'LegacyRef', {
      distributionId: other.ref, domainName: other.attrDomainName,
    }), { domainNames: ['legacy.example.com'] });
    const t = Template.fromStack(f.stack);
    expect(edgeConfig(t).aliases).toEqual(['legacy.example.com']);
    const urls = Object.values(t.findResources('Custom::CognitoEdgeAuthCallbackUrls'))[0].Properties;
    expect(urls.CallbackUrls).toHaveLength(3);
    expect(urls.CallbackUrls[1]).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Legacy', 'DomainName'] }, '/_auth/callback']] });
    expect(urls.CallbackUrls[2]).toBe('https://legacy.example.com/_auth/callback');
    // sign-out lands on the signed-out page the edge function serves (the default)
    expect(urls.LogoutUrls[2]).toBe('https://legacy.example.com/_auth/signed-out');
    expect(auth.aliasCallbackUrls).toEqual(['https://legacy.example.com/_auth/callback']);
    // the attached association is the construct's version
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['legacy.example.com'],
        DefaultCacheBehavior: Match.objectLike({
          LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthEdgeConfig'), 'VersionArn'] } }],
        }),
      }),
    });
    expect(() => f.app.synth()).not.toThrow();
  });

  test('domain names must be literal DNS names', () => {
    const f = fixture();
    const auth = addAuth(f);
    expect(() => auth.addDistribution(distributionIn(f.stack, 'D2'), { domainNames: ['https://x.example.com'] }))
      .toThrow(/addDistribution: domainNames must be literal DNS names/);
  });

  test('a distribution already served by another instance is refused', () => {
    const f = fixture();
    const auth = addAuth(f);
    const docs = second(f, 'Docs', {});
    expect(() => docs.addDistribution(f.distribution)).toThrow(/distribution Site\/Distribution is already protected by the CognitoEdgeAuth at Site\/Auth/);
    expect(() => auth.addDistribution(f.distribution)).toThrow(/already served by this CognitoEdgeAuth/);
  });
});

describe('distribution in another stack', () => {
  function twoStacks(registerCallbackUrls?: boolean) {
    const f = fixture();
    const other = new Stack(f.app, 'Cdn', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    return {
      f,
      other,
      make: () => new CognitoEdgeAuth(f.stack, 'Auth', {
        distribution: distributionIn(other, 'Distribution'),
        userPool: f.userPool,
        userPoolClient: f.userPoolClient,
        userPoolDomain: f.userPoolDomain,
        registerCallbackUrls,
      }),
    };
  }

  test('with callback registration: a clear message instead of a cyclic reference', () => {
    expect(() => twoStacks().make()).toThrow(/distribution: the distribution Cdn\/Distribution is in stack Cdn, the CognitoEdgeAuth in Site; with registerCallbackUrls the stacks would reference each other.*set registerCallbackUrls: false/);
  });

  test('without callback registration: it synthesises, the distribution\'s stack depends on the construct\'s', () => {
    const { f, make } = twoStacks(false);
    make();
    const assembly = f.app.synth();
    expect(assembly.getStackByName('Cdn').dependencies.map((d) => d.id)).toContain('Site');
  });

  test('addDistribution of a distribution in another stack, with registration on: the same message', () => {
    const f = fixture();
    const auth = addAuth(f);
    const other = new Stack(f.app, 'Cdn', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    expect(() => auth.addDistribution(distributionIn(other, 'D'))).toThrow(/addDistribution: the distribution Cdn\/D is in stack Cdn/);
  });

  test('a distribution in a NestedStack of the construct\'s stack works: references become nested-stack parameters and outputs', () => {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const nested = new NestedStack(stack, 'Cdn');
    new CognitoEdgeAuth(stack, 'Auth', {
      distribution: distributionIn(nested, 'Distribution'),
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEf123'),
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789'),
      userPoolDomain: cognito.UserPoolDomain.fromDomainName(stack, 'Domain', 'my-prefix'),
    });
    const template = app.synth().getStackByName('Site').template;
    const [nestedId, nestedResource] = Object.entries(template.Resources as Record<string, { Type: string; Properties: { Parameters?: unknown } }>)
      .find(([, r]) => r.Type === 'AWS::CloudFormation::Stack')!;
    // the version ARN goes in as a parameter; the domain name comes back as an output of the nested stack
    expect(JSON.stringify(nestedResource.Properties.Parameters)).toMatch(/"AuthEdgeConfig[0-9A-F]+","VersionArn"/);
    const registration = Object.values(Template.fromStack(stack).findResources('Custom::CognitoEdgeAuthCallbackUrls'))[0];
    expect(JSON.stringify(registration.Properties.CallbackUrls)).toContain(`"Fn::GetAtt":["${nestedId}","Outputs.`);
  });
});

test('README: a second Distribution in the stack with edgeLambdas: [auth.edgeLambda], registered with addDistribution', () => {
  const f = fixture();
  const auth = addAuth(f);
  const docs = new cloudfront.Distribution(f.stack, 'Docs', {
    defaultBehavior: { origin: origin(), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, edgeLambdas: [auth.edgeLambda] },
    domainNames: ['docs.example.com'],
    certificate: cert(f.stack),
  });
  auth.addDistribution(docs, { domainNames: ['docs.example.com'] });
  const t = Template.fromStack(f.stack);
  const [docsId] = Object.keys(t.findResources('AWS::CloudFront::Distribution', { Properties: { DistributionConfig: { Aliases: ['docs.example.com'] } } }));
  t.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['docs.example.com'],
      DefaultCacheBehavior: Match.objectLike({
        LambdaFunctionAssociations: [{ EventType: 'viewer-request', IncludeBody: false, LambdaFunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthEdgeConfig'), 'VersionArn'] } }],
      }),
    }),
  });
  expect(edgeConfig(t).aliases).toEqual(['docs.example.com']);
  expect(JSON.stringify(t.findResources('Custom::CognitoEdgeAuthCallbackUrls'))).toContain(`"Fn::GetAtt":["${docsId}","DomainName"]`);
  expect(() => f.app.synth()).not.toThrow();
});

/**
 * Deploy lifecycle, on templates: every change that affects what runs at the edge changes the
 * config resource's properties (so CloudFormation runs it again and it publishes a new version);
 * the function is not named by us (a retained one never collides); callback registrations on one
 * client are ordered.
 */
import { Aspects, IAspect, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { addAuth, Fixture, fixture, supportStack } from './helpers';
import { CognitoEdgeAuth, CognitoEdgeAuthProps } from '../../src';

/** The config resource's properties, resolved. */
function configProperties(f: Fixture): Record<string, unknown> {
  const [resource] = Object.values(Template.fromStack(f.stack).findResources('Custom::CognitoEdgeAuthConfig'));
  return resource.Properties;
}

type Tweak = (auth: CognitoEdgeAuth, f: Fixture) => void;

function build(region: string, props: Partial<CognitoEdgeAuthProps> = {}, tweak?: Tweak): Record<string, unknown> {
  const f = fixture({ region });
  const auth = addAuth(f, props);
  tweak?.(auth, f);
  return configProperties(f);
}

describe.each(['eu-west-1', 'us-east-1'])('stack in %s: what runs at the edge changes the config resource', (region) => {
  const base = build(region);

  test('the same app gives the same properties (no needless new versions)', () => {
    expect(build(region)).toEqual(base);
  });

  test('runtime: a new fingerprint', () => {
    const changed = build(region, { runtime: lambda.Runtime.NODEJS_20_X });
    expect(changed.FunctionFingerprint).not.toEqual(base.FunctionFingerprint);
  });

  test('memory and timeout (escape hatch), architecture: a new fingerprint', () => {
    const memory = build(region, {}, (auth) => (auth.edgeFunction.node.defaultChild as lambda.CfnFunction).addPropertyOverride('MemorySize', 256));
    expect(memory.FunctionFingerprint).not.toEqual(base.FunctionFingerprint);
    const timeout = build(region, {}, (auth) => { (auth.edgeFunction.node.defaultChild as lambda.CfnFunction).timeout = 3; });
    expect(timeout.FunctionFingerprint).not.toEqual(base.FunctionFingerprint);
    expect(new Set([base.FunctionFingerprint, memory.FunctionFingerprint, timeout.FunctionFingerprint]).size).toBe(3);
  });

  test('role: a permissions boundary added by an Aspect, or a changed trust policy, gives a new fingerprint', () => {
    const boundary = build(region, {}, (_auth, f) => {
      iam.PermissionsBoundary.of(f.app).apply(iam.ManagedPolicy.fromManagedPolicyName(f.stack, 'Boundary', 'edge-boundary'));
    });
    expect(boundary.FunctionFingerprint).not.toEqual(base.FunctionFingerprint);
    const trust = build(region, {}, (auth) => {
      (auth.role.node.defaultChild as iam.CfnRole).addPropertyOverride('MaxSessionDuration', 7200);
    });
    expect(trust.FunctionFingerprint).not.toEqual(base.FunctionFingerprint);
  });

  test('tags do not change it (they do not change what runs)', () => {
    const tagged = build(region, {}, (_auth, f) => Tags.of(f.app).add('team', 'web'));
    expect(tagged.FunctionFingerprint).toEqual(base.FunctionFingerprint);
  });

  test('the bundle (its S3 key is its hash) and the settings are properties too', () => {
    expect(base.BundleS3Key).toEqual(expect.stringMatching(/^[0-9a-f]{64}\.zip$/));
    const settings = build(region, { requiredGroups: ['staff'] });
    expect(settings.EdgeConfig).not.toEqual(base.EdgeConfig);
    expect(settings.FunctionFingerprint).toEqual(base.FunctionFingerprint);
  });
});

test('an Aspect that edits the function after the construct is done still reaches the fingerprint', () => {
  class Memory implements IAspect {
    visit(node: IConstruct): void {
      if (node instanceof lambda.CfnFunction && node.memorySize === 128) node.timeout = 4;
    }
  }
  const plain = build('eu-west-1');
  const edited = build('eu-west-1', {}, (_auth, f) => Aspects.of(f.app).add(new Memory()));
  expect(edited.FunctionFingerprint).not.toEqual(plain.FunctionFingerprint);
});

describe('no fixed function name', () => {
  test.each(['eu-west-1', 'us-east-1'])('in %s the function has no FunctionName, is retained and tagged', (region) => {
    const f = fixture({ region });
    const auth = addAuth(f);
    const t = Template.fromStack(Stack.of(auth.edgeFunction));
    t.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({
        MemorySize: 128,
        FunctionName: Match.absent(),
        Tags: Match.arrayWith([{ Key: 'cdk-cognito-edge-auth:function', Value: Match.stringLikeRegexp('^[A-Za-z0-9]+$') }]),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({ Tags: Match.arrayWith([Match.objectLike({ Key: 'cdk-cognito-edge-auth:function' })]) }),
      DeletionPolicy: 'Retain',
    });
  });
});

describe('callback registrations on one client', () => {
  function twoSites(region = 'eu-west-1', otherClient = false): Template {
    const f = fixture({ region });
    addAuth(f);
    const distribution = new cloudfront.Distribution(f.stack, 'Distribution2', {
      defaultBehavior: { origin: new origins.HttpOrigin('o2.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    });
    const client = otherClient
      ? (f.userPool as unknown as { addClient: (id: string, o: object) => typeof f.userPoolClient }).addClient('Other', { oAuth: { flows: { authorizationCodeGrant: true } } })
      : f.userPoolClient;
    new CognitoEdgeAuth(f.stack, 'Auth2', { distribution, userPool: f.userPool, userPoolClient: client, userPoolDomain: f.userPoolDomain });
    return Template.fromStack(f.stack);
  }

  test('two constructs on one client: the second registration runs after the first', () => {
    const t = twoSites();
    const ids = Object.keys(t.findResources('Custom::CognitoEdgeAuthCallbackUrls'));
    expect(ids.sort()).toEqual(['Auth2CallbackUrlsB18A1EAB', 'AuthCallbackUrls92C9FFFB'].sort());
    expect(t.toJSON().Resources.Auth2CallbackUrlsB18A1EAB.DependsOn).toContain('AuthCallbackUrls92C9FFFB');
    expect(t.toJSON().Resources.AuthCallbackUrls92C9FFFB.DependsOn ?? []).not.toContain('Auth2CallbackUrlsB18A1EAB');
  });

  test('on different clients they stay independent', () => {
    const t = twoSites('eu-west-1', true);
    expect(t.toJSON().Resources.Auth2CallbackUrlsB18A1EAB.DependsOn ?? []).not.toContain('AuthCallbackUrls92C9FFFB');
  });

  test('two constructs on one imported client are ordered too', () => {
    const f = fixture({ imported: true });
    addAuth(f);
    const distribution = new cloudfront.Distribution(f.stack, 'Distribution2', {
      defaultBehavior: { origin: new origins.HttpOrigin('o2.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    });
    new CognitoEdgeAuth(f.stack, 'Auth2', { distribution, userPool: f.userPool, userPoolClient: f.userPoolClient, userPoolDomain: f.userPoolDomain });
    const resources = Template.fromStack(f.stack).toJSON().Resources;
    expect(resources.Auth2CallbackUrlsB18A1EAB.DependsOn).toContain('AuthCallbackUrls92C9FFFB');
    // an imported client's own URLs are unknown at synth: the handler keeps what it found there
    expect(resources.AuthCallbackUrls92C9FFFB.Properties.ClientCallbackUrls).toBeUndefined();
  });

  test('the URLs listed on an in-app client are passed, so the handler never removes them', () => {
    const f = fixture({ clientOptions: { oAuth: { flows: { authorizationCodeGrant: true }, callbackUrls: ['https://app.example.com/cb'], logoutUrls: ['https://app.example.com/'] } } });
    addAuth(f);
    Template.fromStack(f.stack).hasResourceProperties('Custom::CognitoEdgeAuthCallbackUrls', {
      ClientCallbackUrls: ['https://app.example.com/cb'],
      ClientLogoutUrls: ['https://app.example.com/'],
    });
  });
});

test('the support stack of the default fixture is unchanged by any of this (name and dependency)', () => {
  const f = fixture();
  addAuth(f);
  expect(supportStack(f).stackName).toBe('Site-edge-auth-us-east-1');
});

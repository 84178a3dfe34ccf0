/**
 * A user pool in another region than the stack: the config injector's IAM statement and an
 * imported prefix domain name the pool's own region, taken from its id.
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ACCOUNT } from './helpers';
import { CognitoEdgeAuth } from '../../src';

function build(stackRegion: string, importPool: (stack: Stack) => cognito.IUserPool, domainName = 'my-prefix'): Template {
  const app = new App();
  const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: stackRegion } });
  const userPool = importPool(stack);
  new CognitoEdgeAuth(stack, 'Auth', {
    distribution: new cloudfront.Distribution(stack, 'Distribution', {
      defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    }),
    userPool,
    userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789'),
    userPoolDomain: cognito.UserPoolDomain.fromDomainName(stack, 'Domain', domainName),
  });
  return Template.fromStack(stack);
}

/** The Resource of the provider's cognito-idp statement, resolved. */
function cognitoResource(t: Template): unknown {
  // the config injector's policy (in us-east-1 the stack also holds the edge role's EdgeLogs policy)
  const [policy] = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CognitoEdgeAuthProvider')).map(([, r]) => r);
  const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>;
  return statements.find((s) => JSON.stringify(s.Action).includes('cognito-idp:'))!.Resource;
}

const arnJoin = (rest: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...rest]] });

test('stack in us-east-1, pool imported by id from eu-west-1: ARN and prefix domain in eu-west-1', () => {
  const t = build('us-east-1', (s) => cognito.UserPool.fromUserPoolId(s, 'Pool', 'eu-west-1_AbCdEf123'));
  expect(cognitoResource(t)).toEqual(arnJoin([`:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_AbCdEf123`]));
  t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
    UserPoolId: 'eu-west-1_AbCdEf123',
    AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
  });
});

test('pool in the stack\'s region: the ARN is the one aws-cdk-lib builds', () => {
  const t = build('eu-west-1', (s) => cognito.UserPool.fromUserPoolId(s, 'Pool', 'eu-west-1_AbCdEf123'));
  expect(cognitoResource(t)).toEqual(arnJoin([`:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_AbCdEf123`]));
  t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com' });
});

test('pool imported by ARN keeps that ARN (another account and region)', () => {
  const arn = 'arn:aws:cognito-idp:ap-southeast-2:210987654321:userpool/ap-southeast-2_XyZ987';
  const t = build('eu-west-1', (s) => cognito.UserPool.fromUserPoolArn(s, 'Pool', arn));
  expect(cognitoResource(t)).toEqual(arn);
  t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { AuthDomain: 'https://my-prefix.auth.ap-southeast-2.amazoncognito.com' });
});

test('pool id from a parameter: the region is split off the id in the template', () => {
  const t = build('us-east-1', (s) => cognito.UserPool.fromUserPoolId(s, 'Pool', new CfnParameter(s, 'PoolId').valueAsString));
  const region = { 'Fn::Select': [0, { 'Fn::Split': ['_', { Ref: 'PoolId' }] }] };
  expect(cognitoResource(t)).toEqual(arnJoin([':cognito-idp:', region, `:${ACCOUNT}:userpool/`, { Ref: 'PoolId' }]));
  t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
    AuthDomain: { 'Fn::Join': ['', ['https://my-prefix.auth.', region, '.amazoncognito.com']] },
  });
});

test('a custom domain is used as it is, whatever the pool\'s region', () => {
  const t = build('us-east-1', (s) => cognito.UserPool.fromUserPoolId(s, 'Pool', 'eu-west-1_AbCdEf123'), 'auth.example.com');
  t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { AuthDomain: 'https://auth.example.com' });
});

test('an id that is not a user pool id fails at synth and points to fromUserPoolArn', () => {
  expect(() => build('us-east-1', (s) => cognito.UserPool.fromUserPoolId(s, 'Pool', 'my-pool')))
    .toThrow(/userPool: its id must be a user pool id such as eu-west-1_AbCdEf123 \(<region>_<id>\), got "my-pool"/);
});

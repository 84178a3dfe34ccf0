/**
 * Construct ids, logical ids, stack names and custom-resource type names are public contract
 * (design §3): a change replaces users' resources (a new edge function, a new state secret, a new
 * config injector). These tests pin them exactly.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { addAuth, fixture, supportStack } from './helpers';
import { CognitoEdgeAuth } from '../../src';

/** Logical id → resource type of every resource the library adds (the fixture's own resources left out). */
function libraryResources(stack: Stack): Record<string, string> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  const out: Record<string, string> = {};
  for (const [id, r] of Object.entries(resources)) {
    if (/^(Pool|Distribution)/.test(id)) continue;
    out[id] = r.Type;
  }
  return out;
}

const PROVIDER = {
  CognitoEdgeAuthProviderLogGroup11BCCF64: 'AWS::Logs::LogGroup',
  CognitoEdgeAuthProviderRole9A2274F2: 'AWS::IAM::Role',
  CognitoEdgeAuthProviderRoleDefaultPolicy93E6C328: 'AWS::IAM::Policy',
  CognitoEdgeAuthProviderFunctionDC94766F: 'AWS::Lambda::Function',
};

test('stack in another region: logical ids and types in the stack and in its us-east-1 support stack', () => {
  const f = fixture({ region: 'eu-west-1' });
  addAuth(f);
  expect(libraryResources(f.stack)).toEqual({
    AuthStateSecretD7FFC0E5: 'AWS::SecretsManager::Secret',
    AuthEdgeConfig4574E1BD: 'Custom::CognitoEdgeAuthConfig',
    AuthCallbackUrls92C9FFFB: 'Custom::CognitoEdgeAuthCallbackUrls',
    ...PROVIDER,
  });
  const support = supportStack(f);
  expect(support.stackName).toBe('Site-edge-auth-us-east-1');
  expect(support.node.id).toBe('Site-edge-auth-us-east-1');
  expect(libraryResources(support)).toEqual({
    SiteAuthEC66B5F6EdgeRoleB9BF7317: 'AWS::IAM::Role',
    SiteAuthEC66B5F6EdgeFunction276D4EF1: 'AWS::Lambda::Function',
    SiteAuthEC66B5F6EdgeLogs4D233A80: 'AWS::IAM::Policy',
  });
  expect(f.stack.dependencies).toEqual([support]);
});

test('stack in us-east-1: everything in the one stack, no support stack', () => {
  const f = fixture({ region: 'us-east-1' });
  addAuth(f);
  expect(libraryResources(f.stack)).toEqual({
    AuthEdgeRole5106F36C: 'AWS::IAM::Role',
    AuthEdgeFunctionFB5E8350: 'AWS::Lambda::Function',
    AuthEdgeLogsB8639BAD: 'AWS::IAM::Policy',
    AuthStateSecretD7FFC0E5: 'AWS::SecretsManager::Secret',
    AuthEdgeConfig4574E1BD: 'Custom::CognitoEdgeAuthConfig',
    AuthCallbackUrls92C9FFFB: 'Custom::CognitoEdgeAuthCallbackUrls',
    ...PROVIDER,
  });
  expect(f.app.node.children.filter((c) => Stack.isStack(c))).toEqual([f.stack]);
});

test('construct paths of the public resources', () => {
  const f = fixture({ region: 'eu-west-1' });
  const auth = addAuth(f);
  const paths = f.app.node.findAll().map((c) => c.node.path);
  expect(paths).toEqual(expect.arrayContaining([
    'Site/Auth/StateSecret',
    'Site/Auth/EdgeBundle',
    'Site/Auth/EdgeConfig',
    'Site/Auth/CallbackUrls',
    'Site/Auth/FunctionVersion',
    'Site/CognitoEdgeAuthProvider/LogGroup',
    'Site/CognitoEdgeAuthProvider/Role',
    'Site/CognitoEdgeAuthProvider/Function',
    'Site-edge-auth-us-east-1/SiteAuthEC66B5F6/EdgeRole',
    'Site-edge-auth-us-east-1/SiteAuthEC66B5F6/EdgeFunction',
  ]));
  expect(auth.edgeFunction.node.path).toBe('Site-edge-auth-us-east-1/SiteAuthEC66B5F6/EdgeFunction');
  expect(auth.role.node.path).toBe('Site-edge-auth-us-east-1/SiteAuthEC66B5F6/EdgeRole');
  expect(auth.functionVersion.node.path).toBe('Site/Auth/FunctionVersion');
});

test('the edge function is named by CloudFormation (same logical id as before), found through its stack and logical id', () => {
  const f = fixture({ region: 'eu-west-1' });
  addAuth(f);
  const fn = Template.fromStack(supportStack(f)).findResources('AWS::Lambda::Function');
  expect(Object.keys(fn)).toEqual(['SiteAuthEC66B5F6EdgeFunction276D4EF1']);
  expect(fn.SiteAuthEC66B5F6EdgeFunction276D4EF1.Properties.FunctionName).toBeUndefined();
  Template.fromStack(f.stack).hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
    FunctionStackName: 'Site-edge-auth-us-east-1', FunctionLogicalId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1', FunctionRegion: 'us-east-1',
  });
});

test('two constructs in one stack share one provider and one support stack', () => {
  const f = fixture({ region: 'eu-west-1' });
  addAuth(f);
  const distribution = new cloudfront.Distribution(f.stack, 'Distribution2', {
    defaultBehavior: { origin: new origins.HttpOrigin('o2.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
  });
  new CognitoEdgeAuth(f.stack, 'Auth2', { distribution, userPool: f.userPool, userPoolClient: f.userPoolClient, userPoolDomain: f.userPoolDomain });
  const template = Template.fromStack(f.stack);
  template.resourceCountIs('AWS::Lambda::Function', 1);
  template.resourceCountIs('Custom::CognitoEdgeAuthConfig', 2);
  expect(Object.keys(template.findResources('Custom::CognitoEdgeAuthConfig')).sort()).toEqual(['Auth2EdgeConfig0FE78E40', 'AuthEdgeConfig4574E1BD']);
  expect(f.app.node.children.filter((c) => Stack.isStack(c)).map((s) => s.node.id).sort()).toEqual(['Site', 'Site-edge-auth-us-east-1']);
  expect(libraryResources(supportStack(f))).toEqual({
    SiteAuthEC66B5F6EdgeRoleB9BF7317: 'AWS::IAM::Role',
    SiteAuthEC66B5F6EdgeFunction276D4EF1: 'AWS::Lambda::Function',
    SiteAuthEC66B5F6EdgeLogs4D233A80: 'AWS::IAM::Policy',
    SiteAuth25E1B226FEdgeRole09D42D9A: 'AWS::IAM::Role',
    SiteAuth25E1B226FEdgeFunctionA4E7D92C: 'AWS::Lambda::Function',
    SiteAuth25E1B226FEdgeLogs700B35CE: 'AWS::IAM::Policy',
  });
});

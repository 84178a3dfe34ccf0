/**
 * Design §4.14 at deploy time: the custom resource checks the configuration it built with the
 * edge function's own `resolveConfig`, and a configuration the function would refuse at load fails
 * the deployment (FAILED, with the field) before the function's code is touched. Mocked SDK
 * clients and a stubbed global fetch: no network.
 */
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { handler } from '../../lambda-src/config-injector';
import { timing } from '../../lambda-src/config-injector/poll';

const lambdaMock = mockClient(LambdaClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);

const CLIENT_SECRET = 'client-secret-value-that-must-not-leak';
const STATE_SECRET = 'state-secret-value-that-must-not-leak-0123456789abcdef';
const JWKS = { keys: [{ kid: 'k1', kty: 'RSA', alg: 'RS256', e: 'AQAB', n: 'abc', use: 'sig' }] };
const VERSION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:Site-Auth-abc:7';
const context = { getRemainingTimeInMillis: () => 900_000 } as Context;

function configEvent(edgeConfig: Record<string, unknown>, overrides: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Create',
    ResourceType: 'Custom::CognitoEdgeAuthConfig',
    ServiceToken: 'token',
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Site/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'AuthEdgeConfig',
    ResourceProperties: {
      ServiceToken: 'token',
      FunctionName: 'Site-Auth-abc',
      FunctionRegion: 'us-east-1',
      BundleS3Bucket: 'bucket',
      BundleS3Key: 'bundle.zip',
      UserPoolId: 'eu-west-1_AbCdEf123',
      ClientId: 'client123',
      AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
      StateSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:state',
      EdgeConfig: JSON.stringify(edgeConfig),
      ...overrides,
    },
  } as CloudFormationCustomResourceEvent;
}

let responses: Array<Record<string, unknown>>;
let fetched: string[];

beforeEach(async () => {
  timing.pollIntervalMs = 1;
  timing.maxWaitMs = 200;
  for (const m of [lambdaMock, cognitoMock, s3Mock, secretsMock]) m.reset();
  responses = [];
  fetched = [];
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  global.fetch = jest.fn(async (url: string, init?: RequestInit) => {
    fetched.push(url);
    if (url.endsWith('/.well-known/jwks.json')) return new Response(JSON.stringify(JWKS), { status: 200 });
    responses.push(JSON.parse(String(init?.body)));
    return new Response('', { status: 200 });
  }) as unknown as typeof fetch;

  const zip = new JSZip();
  zip.file('index.js', 'exports.handler = async () => ({});');
  const bundle = await zip.generateAsync({ type: 'nodebuffer' });
  s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(bundle) } as never });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: STATE_SECRET });
  cognitoMock.on(DescribeUserPoolClientCommand).resolves({
    UserPoolClient: { ClientId: 'client123', ClientSecret: CLIENT_SECRET, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true },
  });
  lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
  lambdaMock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'sha-1' });
  lambdaMock.on(PublishVersionCommand).resolves({ FunctionArn: VERSION_ARN, Version: '7' });
});

afterEach(() => jest.restoreAllMocks());

test('a valid configuration is written and published (the control case)', async () => {
  await handler(configEvent({ cookies: { namePrefix: 'MyApp' }, callbackPath: '/auth/cb' }), context);
  expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: VERSION_ARN })]);
  expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(1);
});

test.each<[string, string, Record<string, unknown>]>([
  ['cookies.namePrefix', 'My+App', { cookies: { namePrefix: 'My+App' } }],
  ['cookies.namePrefix', 'app~x', { cookies: { namePrefix: 'app~x' } }],
  ['callbackPath', '/auth/[cb]', { callbackPath: '/auth/[cb]' }],
  ['callbackPath', '//x', { callbackPath: '//x' }],
  ['callbackPath', '257 characters', { callbackPath: `/${'a'.repeat(256)}` }],
  ['pathRules[0].pathPattern', 'non-ASCII', { pathRules: [{ pathPattern: '/café/*', requiredGroups: [] }] }],
  ['cookies.path', 'with a quote', { cookies: { domain: 'example.com', path: '/a"b' } }],
  ['cookies.tokenMaxAgeSeconds', '401 days', { cookies: { tokenMaxAgeSeconds: 401 * 86_400 } }],
  ['aliases[0]', '*.example.com', { aliases: ['*.example.com'] }],
])('%s %s: FAILED naming the field, UpdateFunctionCode never called, no secret in the reason', async (field, _label, edgeConfig) => {
  await handler(configEvent(edgeConfig), context);
  expect(responses).toHaveLength(1);
  const response = responses[0];
  expect(response).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'AuthEdgeConfig' });
  expect(response.Reason).toContain(`ConfigError: config.json: "${field}" must be`);
  expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  expect(lambdaMock.commandCalls(PublishVersionCommand)).toHaveLength(0);
  expect(JSON.stringify(response)).not.toContain(CLIENT_SECRET);
  expect(JSON.stringify(response)).not.toContain(STATE_SECRET);
});

test('a user pool of a newer partition (eusc-de-east-1) is accepted, as the edge function accepts it', async () => {
  await handler(configEvent({}, {
    UserPoolId: 'eusc-de-east-1_AbCdEf123',
    AuthDomain: 'https://my-prefix.auth.eusc-de-east-1.amazoncognito.com',
  }), context);
  expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  expect(fetched).toContain('https://cognito-idp.eusc-de-east-1.amazonaws.com/eusc-de-east-1_AbCdEf123/.well-known/jwks.json');
  expect(await cognitoMock.commandCalls(DescribeUserPoolClientCommand)[0].thisValue.config.region()).toBe('eusc-de-east-1');
});

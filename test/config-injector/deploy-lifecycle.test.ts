/**
 * The config injector across the deploy lifecycle, with mocked SDK clients: the edge function found
 * through its stack (upgrade from the fixed name), and callback registrations that share a client
 * (read back, retried on a lost write, removing only their own URLs).
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import {
  CognitoIdentityProviderClient, DescribeUserPoolClientCommand, UpdateUserPoolClientCommand, UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { onEvent } from '../../lambda-src/config-injector';
import { retry, urlHash } from '../../lambda-src/config-injector/callback-urls';
import { timing } from '../../lambda-src/config-injector/poll';

const lambdaMock = mockClient(LambdaClient);
const cfnMock = mockClient(CloudFormationClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);

const POOL = 'eu-west-1_AbCdEf123';
const OLD_NAME = 'Site-Auth-31ecdab7c8';
const NEW_NAME = 'Site-edge-auth-us-east-1-SiteAuthEC66B5F6EdgeFun-Xy12AbCdEf34';

function event(requestType: 'Create' | 'Update' | 'Delete', resourceType: string, props: Record<string, unknown>,
  extra: { old?: Record<string, unknown>; physicalId?: string } = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ResourceType: resourceType,
    ServiceToken: 'token',
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Site/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'AuthEdgeConfig',
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...(requestType !== 'Create' ? { PhysicalResourceId: extra.physicalId ?? 'old-physical-id' } : {}),
    ...(requestType === 'Update' ? { OldResourceProperties: extra.old ?? props } : {}),
  } as CloudFormationCustomResourceEvent;
}

beforeEach(() => {
  timing.pollIntervalMs = 1;
  timing.maxWaitMs = 200;
  retry.pauseMs = 1;
  for (const m of [lambdaMock, cfnMock, cognitoMock, s3Mock, secretsMock]) m.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('Custom::CognitoEdgeAuthConfig finds a function CloudFormation named', () => {
  const common = {
    FunctionRegion: 'us-east-1',
    BundleS3Bucket: 'bucket',
    BundleS3Key: 'bundle.zip',
    UserPoolId: POOL,
    ClientId: 'client123',
    AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
    StateSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:state',
    EdgeConfig: '{}',
  };
  const oldProps = { ...common, FunctionName: OLD_NAME };
  const newProps = {
    ...common,
    FunctionStackName: 'Site-edge-auth-us-east-1',
    FunctionLogicalId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1',
    FunctionFingerprint: '0123456789abcdef0123456789abcdef',
  };

  beforeEach(async () => {
    const zip = new JSZip();
    zip.file('index.js', 'exports.handler = async () => ({});');
    const bytes = await zip.generateAsync({ type: 'nodebuffer' });
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 's'.repeat(64) });
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { UserPoolId: POOL, ClientId: 'client123', AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true },
    });
    global.fetch = jest.fn(async () => new Response(JSON.stringify({ keys: [{ kid: 'k', kty: 'RSA' }] }), { status: 200 })) as unknown as typeof fetch;
    cfnMock.on(DescribeStackResourceCommand).resolves({
      StackResourceDetail: {
        StackName: 'Site-edge-auth-us-east-1',
        LogicalResourceId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1',
        PhysicalResourceId: NEW_NAME,
        ResourceType: 'AWS::Lambda::Function',
        ResourceStatus: 'UPDATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    });
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambdaMock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'sha-new' });
    lambdaMock.on(PublishVersionCommand).callsFake((input) => ({ FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${input.FunctionName}:1`, Version: '1' }));
  });

  test('upgrade from the fixed name: one Update publishes on the new function and returns its version (a new physical id)', async () => {
    const oldVersion = `arn:aws:lambda:us-east-1:123456789012:function:${OLD_NAME}:7`;
    const result = await onEvent(event('Update', 'Custom::CognitoEdgeAuthConfig', newProps, { old: oldProps, physicalId: oldVersion }));

    // looked up in us-east-1 through the support stack
    expect(cfnMock.commandCalls(DescribeStackResourceCommand)[0].args[0].input).toEqual({
      StackName: 'Site-edge-auth-us-east-1', LogicalResourceId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1',
    });
    expect(await cfnMock.call(0).thisValue.config.region()).toBe('us-east-1');
    // every Lambda call went to the new function; the old one (still serving the distribution) is untouched
    const names = lambdaMock.calls().map((c) => (c.args[0].input as { FunctionName: string }).FunctionName);
    expect(new Set(names)).toEqual(new Set([NEW_NAME]));
    const newVersion = `arn:aws:lambda:us-east-1:123456789012:function:${NEW_NAME}:1`;
    expect(result).toEqual({ PhysicalResourceId: newVersion, Data: { VersionArn: newVersion, Version: '1' } });
    expect(result.PhysicalResourceId).not.toBe(oldVersion);

    // CloudFormation then deletes the old physical id: nothing is touched (the old version may still be replicated)
    lambdaMock.resetHistory();
    await onEvent(event('Delete', 'Custom::CognitoEdgeAuthConfig', oldProps, { physicalId: oldVersion }));
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  test('a stack resource that is not a function, or not there, fails the deployment with the reason', async () => {
    cfnMock.on(DescribeStackResourceCommand).resolves({
      StackResourceDetail: {
        StackName: 's', LogicalResourceId: 'l', PhysicalResourceId: 'x', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(),
      },
    });
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', newProps))).rejects.toThrow(/is a AWS::IAM::Role, not a Lambda function/);
    cfnMock.on(DescribeStackResourceCommand).resolves({});
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', newProps))).rejects.toThrow(/has no physical id/);
    const { FunctionStackName, ...none } = newProps;
    void FunctionStackName;
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', none))).rejects.toThrow(/FunctionName or FunctionStackName/);
  });
});

describe('Custom::CognitoEdgeAuthCallbackUrls on a shared client', () => {
  const site1 = { UserPoolId: POOL, ClientId: 'shared', CallbackUrls: ['https://d1.cloudfront.net/_auth/callback'], LogoutUrls: ['https://d1.cloudfront.net/'] };
  const site2 = { UserPoolId: POOL, ClientId: 'shared', CallbackUrls: ['https://d2.cloudfront.net/_auth/callback'], LogoutUrls: ['https://d2.cloudfront.net/'] };
  let state: UserPoolClientType;
  /** Writes another writer makes right after one of ours (each entry: once). */
  let interference: Array<(s: UserPoolClientType) => UserPoolClientType>;

  beforeEach(() => {
    state = { UserPoolId: POOL, ClientId: 'shared', ClientName: 'web', CallbackURLs: ['https://app.example.com/cb'], LogoutURLs: ['https://app.example.com/'], AllowedOAuthFlows: ['code'] };
    interference = [];
    cognitoMock.on(DescribeUserPoolClientCommand).callsFake(() => ({ UserPoolClient: structuredClone(state) }));
    cognitoMock.on(UpdateUserPoolClientCommand).callsFake((input) => {
      state = { ...state, ...input };
      const other = interference.shift();
      if (other) state = other(state);
      return {};
    });
  });

  test('a write lost to another writer (last write wins) is read back and made again', async () => {
    // the other site's registration read the client before ours and writes after it, without our URLs
    interference.push((s) => ({ ...s, CallbackURLs: ['https://app.example.com/cb', ...site2.CallbackUrls], LogoutURLs: ['https://app.example.com/', ...site2.LogoutUrls] }));
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', site1));
    expect(cognitoMock.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(2);
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', ...site2.CallbackUrls, ...site1.CallbackUrls]);
    expect(state.LogoutURLs).toEqual(['https://app.example.com/', ...site2.LogoutUrls, ...site1.LogoutUrls]);
  });

  test('a client that keeps changing under us fails the deployment after the retries, with a clear reason', async () => {
    for (let i = 0; i < 10; i++) interference.push((s) => ({ ...s, CallbackURLs: ['https://app.example.com/cb'] }));
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', site1))).rejects.toThrow(/changed by another writer on each of 5 attempts/);
    expect(cognitoMock.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(retry.attempts);
  });

  test('two sites register in turn; deleting one removes only its URLs', async () => {
    const id1 = (await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', site1))).PhysicalResourceId;
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', site2));
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', ...site1.CallbackUrls, ...site2.CallbackUrls]);
    await onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', site1, { physicalId: id1 }));
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', ...site2.CallbackUrls]);
    expect(state.LogoutURLs).toEqual(['https://app.example.com/', ...site2.LogoutUrls]);
  });

  test('a URL the user had on the client before (imported client) is recorded and survives delete and update', async () => {
    state = { ...state, CallbackURLs: ['https://app.example.com/cb', site1.CallbackUrls[0]] };
    const { PhysicalResourceId: id } = await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', site1));
    expect(id).toBe(`${POOL}/shared/callback-urls/kept-${urlHash(site1.CallbackUrls[0])}`);
    expect(state.LogoutURLs).toEqual(['https://app.example.com/', ...site1.LogoutUrls]);

    // an update that no longer wants it keeps the physical id and the URL
    const moved = { ...site1, CallbackUrls: ['https://d9.cloudfront.net/_auth/callback'] };
    const updated = await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', moved, { old: site1, physicalId: id }));
    expect(updated.PhysicalResourceId).toBe(id);
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', site1.CallbackUrls[0], ...moved.CallbackUrls]);

    await onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', { ...site1, CallbackUrls: [site1.CallbackUrls[0], ...moved.CallbackUrls] }, { physicalId: id }));
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', site1.CallbackUrls[0]]);
    expect(state.LogoutURLs).toEqual(['https://app.example.com/']);
  });

  test('URLs listed on the client in the template are never removed, even when they are also ours', async () => {
    const props = { ...site1, ClientCallbackUrls: [site1.CallbackUrls[0]], ClientLogoutUrls: [] };
    state = { ...state, CallbackURLs: ['https://app.example.com/cb', ...site1.CallbackUrls], LogoutURLs: ['https://app.example.com/', ...site1.LogoutUrls] };
    await onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', props, { physicalId: `${POOL}/shared/callback-urls` }));
    expect(state.CallbackURLs).toEqual(['https://app.example.com/cb', site1.CallbackUrls[0]]);
    expect(state.LogoutURLs).toEqual(['https://app.example.com/']);
  });
});

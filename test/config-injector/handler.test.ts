/**
 * The custom-resource handler with mocked SDK clients and a stubbed global fetch (JWKS and the
 * CloudFormation response URL): no network.
 */
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, ResourceNotFoundException, UpdateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { handler, onEvent } from '../../lambda-src/config-injector';
import { retry } from '../../lambda-src/config-injector/callback-urls';
import { timing } from '../../lambda-src/config-injector/poll';

const lambdaMock = mockClient(LambdaClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);

const CLIENT_SECRET = 'client-secret-value-that-must-not-leak';
const STATE_SECRET = 'state-secret-value-that-must-not-leak-0123456789abcdef';
const JWKS = { keys: [{ kid: 'k1', kty: 'RSA', alg: 'RS256', e: 'AQAB', n: 'abc', use: 'sig' }] };
const VERSION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:Site-Auth-abc:7';

const configProps = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  FunctionName: 'Site-Auth-abc',
  FunctionRegion: 'us-east-1',
  BundleS3Bucket: 'bucket',
  BundleS3Key: 'bundle.zip',
  UserPoolId: 'eu-west-1_AbCdEf123',
  ClientId: 'client123',
  AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
  StateSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:state',
  EdgeConfig: JSON.stringify({ callbackPath: '/_auth/callback', identityProvider: 'EntraID', forwardAuthCookies: false, logLevel: 'warn' }),
};

function event(requestType: 'Create' | 'Update' | 'Delete', resourceType: string, props: Record<string, unknown>, old?: Record<string, unknown>): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ResourceType: resourceType,
    ServiceToken: 'token',
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Site/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'AuthEdgeConfig',
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...(requestType !== 'Create' ? { PhysicalResourceId: 'old-physical-id' } : {}),
    ...(requestType === 'Update' ? { OldResourceProperties: old ?? props } : {}),
  } as CloudFormationCustomResourceEvent;
}

let uploadedZip: Buffer | undefined;
let fetchMock: jest.Mock;
let logs: string[];

async function bundleZip(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('index.js', 'exports.handler = async () => ({});');
  return zip.generateAsync({ type: 'nodebuffer' });
}

beforeEach(async () => {
  timing.pollIntervalMs = 1;
  timing.maxWaitMs = 200;
  lambdaMock.reset();
  cognitoMock.reset();
  s3Mock.reset();
  secretsMock.reset();
  uploadedZip = undefined;
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(String(line)); });
  fetchMock = jest.fn(async (url: string) => {
    if (url.endsWith('/.well-known/jwks.json')) return new Response(JSON.stringify(JWKS), { status: 200 });
    return new Response('', { status: 200 });
  });
  global.fetch = fetchMock as unknown as typeof fetch;

  const zip = await bundleZip();
  s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(zip) } as never });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: STATE_SECRET });
  cognitoMock.on(DescribeUserPoolClientCommand).resolves({
    UserPoolClient: {
      UserPoolId: 'eu-west-1_AbCdEf123',
      ClientId: 'client123',
      ClientSecret: CLIENT_SECRET,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      RefreshTokenValidity: 12,
      TokenValidityUnits: { RefreshToken: 'hours' },
    },
  });
  lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
  lambdaMock.on(UpdateFunctionCodeCommand).callsFake((input) => {
    uploadedZip = Buffer.from(input.ZipFile);
    return { CodeSha256: 'sha-1' };
  });
  lambdaMock.on(PublishVersionCommand).resolves({ FunctionArn: VERSION_ARN, Version: '7' });
});

afterEach(() => jest.restoreAllMocks());

async function configInUpload(): Promise<Record<string, unknown>> {
  const zip = await JSZip.loadAsync(uploadedZip!);
  expect(zip.file('index.js')).not.toBeNull();
  return JSON.parse(await zip.file('config.json')!.async('string'));
}

describe('Custom::CognitoEdgeAuthConfig', () => {
  test('Create: writes config.json, publishes exactly that code, waits for Active, returns the version ARN', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'Site-Auth-abc', Qualifier: '7' })
      .resolvesOnce({ State: 'Pending' }).resolves({ State: 'Active' });

    const result = await onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps));

    expect(result).toEqual({ PhysicalResourceId: VERSION_ARN, Data: { VersionArn: VERSION_ARN, Version: '7' } });
    expect(await configInUpload()).toEqual({
      userPoolId: 'eu-west-1_AbCdEf123',
      clientId: 'client123',
      clientSecret: CLIENT_SECRET,
      authDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
      identityProvider: 'EntraID',
      jwks: JWKS,
      callbackPath: '/_auth/callback',
      stateSecret: STATE_SECRET,
      forwardAuthCookies: false,
      logLevel: 'warn',
      refreshTokenValiditySeconds: 12 * 3600,
    });
    expect(lambdaMock.commandCalls(PublishVersionCommand)[0].args[0].input).toMatchObject({ FunctionName: 'Site-Auth-abc', CodeSha256: 'sha-1' });
    // waited for the version: Pending, then Active
    expect(lambdaMock.commandCalls(GetFunctionConfigurationCommand, { Qualifier: '7' })).toHaveLength(2);
    expect(fetchMock).toHaveBeenCalledWith('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json', expect.anything());
    expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand)[0].args[0].input).toEqual({ UserPoolId: 'eu-west-1_AbCdEf123', ClientId: 'client123' });
    // no secret in any log line
    expect(logs.join('\n')).not.toContain(CLIENT_SECRET);
    expect(logs.join('\n')).not.toContain(STATE_SECRET);
  });

  test('Update: publishes a new version; the refresh validity from EdgeConfig wins over the client\'s', async () => {
    lambdaMock.on(PublishVersionCommand).resolves({ FunctionArn: VERSION_ARN.replace(/7$/, '8'), Version: '8' });
    const props = { ...configProps, EdgeConfig: JSON.stringify({ refreshTokenValiditySeconds: 3600 }) };
    const result = await onEvent(event('Update', 'Custom::CognitoEdgeAuthConfig', props, configProps));
    expect(result.PhysicalResourceId).toBe(VERSION_ARN.replace(/7$/, '8'));
    expect((await configInUpload()).refreshTokenValiditySeconds).toBe(3600);
  });

  test('Delete: does nothing (versions stay with the function) and keeps the physical id', async () => {
    const result = await onEvent(event('Delete', 'Custom::CognitoEdgeAuthConfig', configProps));
    expect(result).toEqual({ PhysicalResourceId: 'old-physical-id' });
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  test('a client without the code grant fails the deploy with the fix', async () => {
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ClientId: 'client123', AllowedOAuthFlows: ['implicit'], AllowedOAuthFlowsUserPoolClient: true },
    });
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps)))
      .rejects.toThrow(/does not allow the OAuth authorization code grant: enable it on the client/);
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  test('a client without a secret gives a config without clientSecret', async () => {
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ClientId: 'client123', AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true },
    });
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps));
    const config = await configInUpload();
    expect(config).not.toHaveProperty('clientSecret');
    expect(config).not.toHaveProperty('refreshTokenValiditySeconds');
  });

  test('waits while a function update is in progress before and after writing the code', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'Site-Auth-abc' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'Successful' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps));
    const order = lambdaMock.calls().map((c) => c.args[0].constructor.name);
    expect(order.slice(0, 6)).toEqual([
      'GetFunctionConfigurationCommand', 'GetFunctionConfigurationCommand', 'UpdateFunctionCodeCommand',
      'GetFunctionConfigurationCommand', 'GetFunctionConfigurationCommand', 'PublishVersionCommand',
    ]);
  });

  test('a failed code update fails the deploy', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'Site-Auth-abc' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'Successful' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidZipFileException' });
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps))).rejects.toThrow(/last update of Site-Auth-abc failed: InvalidZipFileException/);
    expect(lambdaMock.commandCalls(PublishVersionCommand)).toHaveLength(0);
  });

  test('a version that never becomes Active times out with a clear message', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'Site-Auth-abc', Qualifier: '7' }).resolves({ State: 'Pending' });
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps))).rejects.toThrow(/timed out .* waiting for version 7 of Site-Auth-abc to be Active/);
  });

  test('a JWKS that cannot be fetched fails after retries', async () => {
    fetchMock.mockImplementation(async () => new Response('nope', { status: 503 }));
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps))).rejects.toThrow(/could not fetch the user pool's JWKS .*HTTP 503/);
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  test('a malformed JWKS fails', async () => {
    fetchMock.mockImplementation(async () => new Response(JSON.stringify({ keys: [] }), { status: 200 }));
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps))).rejects.toThrow(/non-empty "keys" array/);
  });
});

describe('Custom::CognitoEdgeAuthCallbackUrls', () => {
  const urlProps = {
    UserPoolId: 'eu-west-1_AbCdEf123',
    ClientId: 'client123',
    CallbackUrls: ['https://d111.cloudfront.net/_auth/callback', 'https://www.example.com/_auth/callback'],
    LogoutUrls: ['https://d111.cloudfront.net/', 'https://www.example.com/'],
  };
  const existing = {
    UserPoolId: 'eu-west-1_AbCdEf123',
    ClientId: 'client123',
    ClientName: 'web',
    ClientSecret: CLIENT_SECRET,
    CreationDate: new Date(),
    LastModifiedDate: new Date(),
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ReadAttributes: ['email'],
    WriteAttributes: ['email'],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    SupportedIdentityProviders: ['EntraID'],
    CallbackURLs: ['https://example.com'],
    LogoutURLs: ['https://example.com/out'],
    DefaultRedirectURI: 'https://example.com',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid'],
    AllowedOAuthFlowsUserPoolClient: true,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
    AnalyticsConfiguration: { ApplicationId: 'app', UserDataShared: false },
    RefreshTokenRotation: { Feature: 'DISABLED' },
  } as const;

  // A stateful client: the handler reads its update back.
  let clientState: Record<string, unknown>;
  const setClient = (c: Record<string, unknown>) => { clientState = { ...c }; };
  beforeEach(() => {
    retry.pauseMs = 1;
    setClient(existing);
    cognitoMock.on(DescribeUserPoolClientCommand).callsFake(() => ({ UserPoolClient: { ...clientState } }));
    cognitoMock.on(UpdateUserPoolClientCommand).callsFake((input) => { clientState = { ...clientState, ...input }; return {}; });
  });

  const updateInput = () => cognitoMock.commandCalls(UpdateUserPoolClientCommand)[0].args[0].input;

  test('Create: adds the URLs and passes back every other field unchanged (never the secret or dates)', async () => {
    const result = await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps));
    expect(result.PhysicalResourceId).toBe('eu-west-1_AbCdEf123/client123/callback-urls');
    const { ClientSecret, CreationDate, LastModifiedDate, ...rest } = existing;
    void ClientSecret; void CreationDate; void LastModifiedDate;
    expect(updateInput()).toEqual({
      ...rest,
      CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls],
      LogoutURLs: ['https://example.com/out', ...urlProps.LogoutUrls],
    });
  });

  test('Update (same client): replaces our old URLs with the new ones, keeps the others', async () => {
    setClient({ ...existing, CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls], LogoutURLs: [...urlProps.LogoutUrls] });
    const next = { ...urlProps, CallbackUrls: ['https://d111.cloudfront.net/cb'], LogoutUrls: ['https://d111.cloudfront.net/'] };
    await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', next, urlProps));
    expect(updateInput()).toMatchObject({ CallbackURLs: ['https://example.com', 'https://d111.cloudfront.net/cb'], LogoutURLs: ['https://d111.cloudfront.net/'] });
  });

  test('Update (another client): adds to the new client and changes the physical id (CloudFormation then deletes from the old)', async () => {
    const next = { ...urlProps, ClientId: 'client456' };
    const result = await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', next, urlProps));
    expect(result.PhysicalResourceId).toBe('eu-west-1_AbCdEf123/client456/callback-urls');
    expect(updateInput()).toMatchObject({ ClientId: 'client456', CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls] });
  });

  test('Delete: removes only our URLs, and clears a default redirect URI that was ours', async () => {
    setClient({
      ...existing,
      CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls],
      LogoutURLs: ['https://example.com/out', ...urlProps.LogoutUrls],
      DefaultRedirectURI: urlProps.CallbackUrls[0],
    });
    const result = await onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps));
    expect(result.PhysicalResourceId).toBe('old-physical-id');
    expect(updateInput()).toMatchObject({ CallbackURLs: ['https://example.com'], LogoutURLs: ['https://example.com/out'] });
    expect(updateInput()).not.toHaveProperty('DefaultRedirectURI');
  });

  test('Delete when the client is gone, or Cognito refuses: succeeds without an update', async () => {
    cognitoMock.on(DescribeUserPoolClientCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    await expect(onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps))).resolves.toEqual({ PhysicalResourceId: 'old-physical-id' });
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ...existing, CallbackURLs: [...urlProps.CallbackUrls] } as never });
    cognitoMock.on(UpdateUserPoolClientCommand).rejects(new Error('InvalidParameterException'));
    await expect(onEvent(event('Delete', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps))).resolves.toEqual({ PhysicalResourceId: 'old-physical-id' });
  });

  test('nothing to change: no update call', async () => {
    setClient({ ...existing, CallbackURLs: [...urlProps.CallbackUrls], LogoutURLs: [...urlProps.LogoutUrls] });
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps));
    expect(cognitoMock.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(0);
  });

  test('Create fails on a missing client', async () => {
    cognitoMock.on(DescribeUserPoolClientCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    await expect(onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps))).rejects.toThrow(/gone/);
  });
});

describe('handler (answers CloudFormation)', () => {
  const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

  function sentResponse() {
    const call = fetchMock.mock.calls.find(([url]) => String(url).startsWith('https://cloudformation-custom-resource-response'));
    expect(call).toBeDefined();
    expect(call![1]).toMatchObject({ method: 'PUT' });
    return JSON.parse(call![1].body);
  }

  test('SUCCESS with the data', async () => {
    await handler(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps), context);
    expect(sentResponse()).toMatchObject({
      Status: 'SUCCESS', PhysicalResourceId: VERSION_ARN, Data: { VersionArn: VERSION_ARN }, RequestId: 'req-1', LogicalResourceId: 'AuthEdgeConfig',
    });
  });

  test('FAILED with the reason, and no secret in the response or the logs', async () => {
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'c', ClientSecret: CLIENT_SECRET, AllowedOAuthFlows: [] } });
    await handler(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps), context);
    const response = sentResponse();
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'AuthEdgeConfig' });
    expect(response.Reason).toMatch(/authorization code grant/);
    expect(JSON.stringify(response) + logs.join('\n')).not.toContain(CLIENT_SECRET);
  });

  test('an unknown resource type fails', async () => {
    await handler(event('Create', 'Custom::Other', {}), context);
    expect(sentResponse()).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/unsupported resource type Custom::Other/) });
  });

  test('answers FAILED before Lambda times out', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'InProgress' });
    timing.maxWaitMs = 60_000;
    timing.pollIntervalMs = 20;
    const short = { getRemainingTimeInMillis: () => 10_050 } as Context; // → 1 s budget
    await handler(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps), short);
    expect(sentResponse()).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/ran out of time/) });
    // let the abandoned work finish (in Lambda the sandbox is frozen instead)
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await new Promise((r) => setTimeout(r, 100));
  });
});

/**
 * The custom-resource handler with mocked SDK clients and a stubbed global fetch (JWKS and the
 * CloudFormation response URL): no network.
 */
import {
  CognitoIdentityProviderClient, DescribeUserPoolClientCommand, ResourceNotFoundException, UpdateUserPoolClientCommand,
  UpdateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
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
/** The custom resource's own region (the stack's): neither the pool's (eu-west-1) nor the function's (us-east-1). */
const STACK_REGION = 'eu-central-1';

/** The region each call was sent to, read from the client that sent it. */
async function regionsOf(calls: ReadonlyArray<{ thisValue: unknown }>): Promise<string[]> {
  return Promise.all(calls.map((c) => (c.thisValue as { config: { region: () => Promise<string> } }).config.region()));
}

const savedRegion = process.env.AWS_REGION;
beforeAll(() => { process.env.AWS_REGION = STACK_REGION; });
afterAll(() => {
  if (savedRegion === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = savedRegion;
});

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
    // every Lambda call, in order, with its complete input: ready?, upload, done?, publish, Active? (Pending, then Active)
    expect(lambdaMock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toStrictEqual([
      ['GetFunctionConfigurationCommand', { FunctionName: 'Site-Auth-abc' }],
      ['UpdateFunctionCodeCommand', { FunctionName: 'Site-Auth-abc', ZipFile: uploadedZip }],
      ['GetFunctionConfigurationCommand', { FunctionName: 'Site-Auth-abc' }],
      ['PublishVersionCommand', { FunctionName: 'Site-Auth-abc', CodeSha256: 'sha-1', Description: 'CognitoEdgeAuth: bundle + config.json' }],
      ['GetFunctionConfigurationCommand', { FunctionName: 'Site-Auth-abc', Qualifier: '7' }],
      ['GetFunctionConfigurationCommand', { FunctionName: 'Site-Auth-abc', Qualifier: '7' }],
    ]);
    expect(s3Mock.calls().map((c) => c.args[0].input)).toStrictEqual([{ Bucket: 'bucket', Key: 'bundle.zip' }]);
    expect(secretsMock.calls().map((c) => c.args[0].input)).toStrictEqual([{ SecretId: configProps.StateSecretArn }]);
    expect(fetchMock).toHaveBeenCalledWith('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json', expect.anything());
    expect(cognitoMock.calls().map((c) => c.args[0].input)).toStrictEqual([{ UserPoolId: 'eu-west-1_AbCdEf123', ClientId: 'client123' }]);
    // no secret in any log line
    expect(logs.join('\n')).not.toContain(CLIENT_SECRET);
    expect(logs.join('\n')).not.toContain(STATE_SECRET);
  });

  test('each client is in its region: Lambda in FunctionRegion, Cognito in the pool\'s, S3 and Secrets Manager in the stack\'s', async () => {
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', configProps));
    const lambdaRegions = await regionsOf(lambdaMock.calls());
    expect(lambdaRegions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(lambdaRegions)).toEqual(new Set(['us-east-1']));
    expect(await regionsOf(cognitoMock.calls())).toEqual(['eu-west-1']);
    expect(await regionsOf(s3Mock.calls())).toEqual([STACK_REGION]);
    expect(await regionsOf(secretsMock.calls())).toEqual([STACK_REGION]);
  });

  test('the Lambda client follows FunctionRegion, the Cognito client the pool id', async () => {
    await onEvent(event('Create', 'Custom::CognitoEdgeAuthConfig', { ...configProps, FunctionRegion: 'us-west-2', UserPoolId: 'ap-southeast-2_XyZ789' }));
    expect(new Set(await regionsOf(lambdaMock.calls()))).toEqual(new Set(['us-west-2']));
    expect(await regionsOf(cognitoMock.calls())).toEqual(['ap-southeast-2']);
    expect(fetchMock).toHaveBeenCalledWith('https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_XyZ789/.well-known/jwks.json', expect.anything());
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
  // What UpdateUserPoolClient must get back from `existing`: all of it but the read-only fields.
  const { ClientSecret: _secret, CreationDate: _created, LastModifiedDate: _modified, ...updatable } = existing;
  void _secret; void _created; void _modified;

  // Every field UpdateUserPoolClient takes besides the key. A field the SDK adds fails to compile
  // here, until it is set in `existing` above (and passed back by the handler).
  const EVERY_UPDATE_FIELD: Record<Exclude<keyof UpdateUserPoolClientCommandInput, 'UserPoolId' | 'ClientId'>, true> = {
    ClientName: true,
    RefreshTokenValidity: true,
    AccessTokenValidity: true,
    IdTokenValidity: true,
    TokenValidityUnits: true,
    ReadAttributes: true,
    WriteAttributes: true,
    ExplicitAuthFlows: true,
    SupportedIdentityProviders: true,
    CallbackURLs: true,
    LogoutURLs: true,
    DefaultRedirectURI: true,
    AllowedOAuthFlows: true,
    AllowedOAuthScopes: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AnalyticsConfiguration: true,
    PreventUserExistenceErrors: true,
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: true,
    AuthSessionValidity: true,
    RefreshTokenRotation: true,
  };

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

  test('the client of these tests sets every field UpdateUserPoolClient takes', () => {
    const fields = Object.keys(updatable).filter((k) => k !== 'UserPoolId' && k !== 'ClientId');
    expect(fields.sort()).toEqual(Object.keys(EVERY_UPDATE_FIELD).sort());
  });

  test('Create: adds the URLs and passes back every other field unchanged (never the secret or dates)', async () => {
    const result = await onEvent(event('Create', 'Custom::CognitoEdgeAuthCallbackUrls', urlProps));
    expect(result.PhysicalResourceId).toBe('eu-west-1_AbCdEf123/client123/callback-urls');
    expect(updateInput()).toStrictEqual({
      ...updatable,
      CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls],
      LogoutURLs: ['https://example.com/out', ...urlProps.LogoutUrls],
    });
    // every call (read, update, read-back) goes to the pool's region with the pool and client of the resource
    expect(cognitoMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeUserPoolClientCommand', 'UpdateUserPoolClientCommand', 'DescribeUserPoolClientCommand']);
    expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand)[0].args[0].input).toStrictEqual({ UserPoolId: 'eu-west-1_AbCdEf123', ClientId: 'client123' });
    expect(await regionsOf(cognitoMock.calls())).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
  });

  // One test per field: dropping any of them from the update would make Cognito reset it.
  test.each(Object.keys(EVERY_UPDATE_FIELD).filter((f) => f !== 'CallbackURLs' && f !== 'LogoutURLs'))(
    'Update passes back the client\'s %s unchanged', async (field) => {
      const next = { ...urlProps, CallbackUrls: ['https://d111.cloudfront.net/cb'] };
      await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', next, urlProps));
      const input = updateInput() as unknown as Record<string, unknown>;
      expect(input).toHaveProperty([field]);
      expect(input[field]).toStrictEqual((existing as Record<string, unknown>)[field]);
    });

  test('Update (same client): replaces our old URLs with the new ones, keeps the others', async () => {
    setClient({ ...existing, CallbackURLs: ['https://example.com', ...urlProps.CallbackUrls], LogoutURLs: [...urlProps.LogoutUrls] });
    const next = { ...urlProps, CallbackUrls: ['https://d111.cloudfront.net/cb'], LogoutUrls: ['https://d111.cloudfront.net/'] };
    await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', next, urlProps));
    expect(updateInput()).toStrictEqual({
      ...updatable,
      CallbackURLs: ['https://example.com', 'https://d111.cloudfront.net/cb'],
      LogoutURLs: ['https://d111.cloudfront.net/'],
    });
    expect(await regionsOf(cognitoMock.calls())).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
  });

  test('Update (another client): adds to the new client and changes the physical id (CloudFormation then deletes from the old)', async () => {
    const other = { ...existing, ClientId: 'client456', ClientName: 'other web', CallbackURLs: ['https://other.example.com'], LogoutURLs: [], DefaultRedirectURI: 'https://other.example.com' };
    setClient(other);
    const next = { ...urlProps, ClientId: 'client456' };
    const result = await onEvent(event('Update', 'Custom::CognitoEdgeAuthCallbackUrls', next, urlProps));
    expect(result.PhysicalResourceId).toBe('eu-west-1_AbCdEf123/client456/callback-urls');
    // read and read-back, both of the new client
    expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand).map((c) => c.args[0].input)).toStrictEqual([
      { UserPoolId: 'eu-west-1_AbCdEf123', ClientId: 'client456' }, { UserPoolId: 'eu-west-1_AbCdEf123', ClientId: 'client456' },
    ]);
    // the old client's URLs are not removed from the new one: nothing of the old client is touched here
    expect(updateInput()).toStrictEqual({
      ...updatable,
      ClientId: 'client456',
      ClientName: 'other web',
      CallbackURLs: ['https://other.example.com', ...urlProps.CallbackUrls],
      LogoutURLs: [...urlProps.LogoutUrls],
      DefaultRedirectURI: 'https://other.example.com',
    });
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
    const { DefaultRedirectURI: _ours, ...rest } = updatable;
    void _ours;
    expect(updateInput()).toStrictEqual({ ...rest, CallbackURLs: ['https://example.com'], LogoutURLs: ['https://example.com/out'] });
    expect(updateInput()).not.toHaveProperty('DefaultRedirectURI');
    expect(await regionsOf(cognitoMock.calls())).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
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

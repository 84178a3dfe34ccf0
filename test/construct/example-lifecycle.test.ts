/**
 * The deploy lifecycle of the example app, walked on its synthesised templates with the config
 * injector and the cleanup command running against mocked SDK clients (a small in-memory Lambda,
 * CloudFormation that names functions the way it does, and Cognito):
 *
 *   deploy → change the runtime → a new version; destroy → the function is retained and tagged;
 *   deploy again → succeeds with a new function; cleanup → the old function is deleted once its
 *   replicas are gone.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, UpdateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  DeleteFunctionCommand, GetFunctionConfigurationCommand, InvalidParameterValueException, LambdaClient,
  PublishVersionCommand, UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { exampleApp } from '../../example/app';
import { cleanup, defaultClients } from '../../lambda-src/cli/cleanup';
import { onEvent } from '../../lambda-src/config-injector';
import { timing } from '../../lambda-src/config-injector/poll';

const lambdaMock = mockClient(LambdaClient);
const cfnMock = mockClient(CloudFormationClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);
const taggingMock = mockClient(ResourceGroupsTaggingAPIClient);
const cloudFrontMock = mockClient(CloudFrontClient);

const ACCOUNT = '123456789012';
const POOL_ID = 'eu-west-1_Example1';

interface Synth {
  readonly site: Template;
  readonly edge: Template;
  readonly edgeStackName: string;
}

function synth(runtime?: lambda.Runtime): Synth {
  const { site } = exampleApp({ env: { account: ACCOUNT, region: 'eu-west-1' }, edgeRuntime: runtime });
  const edgeStack = Stack.of(site.auth.edgeFunction);
  return { site: Template.fromStack(site), edge: Template.fromStack(edgeStack), edgeStackName: edgeStack.stackName };
}

/** Resolve the intrinsics a custom resource's properties use, with deployed physical ids. */
function resolve(value: unknown, physical: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, physical));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  if ('Ref' in o) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[o.Ref as string] ?? physical[o.Ref as string] ?? `${o.Ref as string}-physical`;
  }
  if ('Fn::GetAtt' in o) {
    const [id, attr] = o['Fn::GetAtt'] as [string, string];
    return `${physical[id] ?? `${id}-physical`}.${attr}`;
  }
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, physical)).join(sep);
  }
  if ('Fn::Sub' in o) return (o['Fn::Sub'] as string).replace(/\$\{AWS::AccountId\}/g, ACCOUNT).replace(/\$\{AWS::Region\}/g, 'eu-west-1');
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, physical)]));
}

/** The config resource's logical id and resolved properties. */
function configResource(s: Synth): { id: string; properties: Record<string, unknown> } {
  const [[id, resource]] = Object.entries(s.site.findResources('Custom::CognitoEdgeAuthConfig'));
  // app client ids are letters and digits (the contract refuses anything else at load)
  const clients = Object.keys(s.site.findResources('AWS::Cognito::UserPoolClient'));
  const physical: Record<string, string> = { UserPool6BA7E5F2: POOL_ID, ...Object.fromEntries(clients.map((c, i) => [c, `exampleclient${i}`])) };
  const properties = resolve(resource.Properties, physical) as Record<string, unknown>;
  return { id, properties };
}

interface FunctionResource {
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

function edgeFunction(s: Synth): { id: string; resource: FunctionResource } {
  const [[id, resource]] = Object.entries(s.edge.findResources('AWS::Lambda::Function'));
  return { id, resource: resource as never };
}

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>, physicalId?: string): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ResourceType: 'Custom::CognitoEdgeAuthConfig',
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/',
    StackId: 'stack',
    RequestId: 'r',
    LogicalResourceId: 'AuthEdgeConfig',
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...(type !== 'Create' ? { PhysicalResourceId: physicalId } : {}),
    ...(type === 'Update' ? { OldResourceProperties: old } : {}),
  } as CloudFormationCustomResourceEvent;
}

/** In-memory us-east-1: functions with versions and tags, and the support stack's function resource. */
interface FakeFunction {
  runtime: string;
  versions: string[];
  tags: Record<string, string>;
  replicas: boolean;
}
let functions: Map<string, FakeFunction>;
let stackResource: { stackName: string; logicalId: string; physicalId: string } | undefined;
let generated = 0;

/** CloudFormation creating the edge function: no FunctionName in the template, so it generates one. */
function cloudFormationCreatesFunction(s: Synth): string {
  const fn = edgeFunction(s);
  expect(fn.resource.Properties.FunctionName).toBeUndefined();
  const name = `${s.edgeStackName}-${fn.id}`.slice(0, 50) + `-GEN${++generated}`;
  expect(functions.has(name)).toBe(false); // never collides with a retained one
  const tags = Object.fromEntries((fn.resource.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
  functions.set(name, {
    runtime: fn.resource.Properties.Runtime as string,
    versions: [],
    replicas: false,
    tags: { ...tags, 'aws:cloudformation:stack-name': s.edgeStackName, 'aws:cloudformation:logical-id': fn.id },
  });
  stackResource = { stackName: s.edgeStackName, logicalId: fn.id, physicalId: name };
  return name;
}

beforeEach(async () => {
  timing.pollIntervalMs = 1;
  for (const m of [lambdaMock, cfnMock, cognitoMock, s3Mock, secretsMock, taggingMock, cloudFrontMock]) m.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  functions = new Map();
  stackResource = undefined;
  generated = 0;

  const zip = new JSZip();
  zip.file('index.js', 'exports.handler = async () => ({});');
  const bytes = await zip.generateAsync({ type: 'nodebuffer' });
  s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 's'.repeat(64) });
  cognitoMock.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true } });
  cognitoMock.on(UpdateUserPoolClientCommand).resolves({});
  global.fetch = jest.fn(async () => new Response(JSON.stringify({ keys: [{ kid: 'k', kty: 'RSA' }] }), { status: 200 })) as unknown as typeof fetch;

  cfnMock.on(DescribeStackResourceCommand).callsFake((input) => {
    if (!stackResource || input.StackName !== stackResource.stackName || input.LogicalResourceId !== stackResource.logicalId) {
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    }
    return { StackResourceDetail: { PhysicalResourceId: stackResource.physicalId, ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE' } };
  });
  const fn = (name: string) => {
    const f = functions.get(name.split(':').length > 1 ? name.split(':')[6] : name);
    if (!f) throw Object.assign(new Error(`Function not found: ${name}`), { name: 'ResourceNotFoundException' });
    return f;
  };
  lambdaMock.on(GetFunctionConfigurationCommand).callsFake((input) => { fn(input.FunctionName); return { State: 'Active', LastUpdateStatus: 'Successful' }; });
  lambdaMock.on(UpdateFunctionCodeCommand).callsFake((input) => { fn(input.FunctionName); return { CodeSha256: 'sha' }; });
  lambdaMock.on(PublishVersionCommand).callsFake((input) => {
    const f = fn(input.FunctionName);
    f.versions.push(f.runtime);
    return { FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${input.FunctionName}:${f.versions.length}`, Version: String(f.versions.length) };
  });
  lambdaMock.on(DeleteFunctionCommand).callsFake((input) => {
    const name = input.FunctionName.split(':')[6] ?? input.FunctionName;
    if (fn(name).replicas) {
      throw new InvalidParameterValueException({ message: `Lambda was unable to delete ${input.FunctionName} because it is a replicated function.`, $metadata: {} });
    }
    functions.delete(name);
    return {};
  });
  taggingMock.on(GetResourcesCommand).callsFake(() => ({
    ResourceTagMappingList: [...functions.entries()]
      .filter(([, f]) => 'cdk-cognito-edge-auth:function' in f.tags)
      .map(([name, f]) => ({ ResourceARN: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`, Tags: Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })) })),
  }));
  cloudFrontMock.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 } });
});

afterEach(() => jest.restoreAllMocks());

test('deploy, change the runtime, destroy, deploy again, clean up', async () => {
  // ---- deploy (Node.js 22, the default) ----
  const v1 = synth();
  const first = cloudFormationCreatesFunction(v1);
  const config1 = configResource(v1);
  expect(config1.properties).toMatchObject({ FunctionStackName: v1.edgeStackName, FunctionLogicalId: edgeFunction(v1).id, FunctionRegion: 'us-east-1' });
  const created = await onEvent(event('Create', config1.properties));
  expect(created.Data!.VersionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:${first}:1`);
  expect(functions.get(first)!.versions).toEqual(['nodejs22.x']);

  // ---- change the runtime: the function is updated in place, and the config resource's
  // properties change, so CloudFormation sends an Update that publishes a new version ----
  const v2 = synth(lambda.Runtime.NODEJS_20_X);
  expect(edgeFunction(v2).id).toBe(edgeFunction(v1).id);
  functions.get(first)!.runtime = edgeFunction(v2).resource.Properties.Runtime as string;
  const config2 = configResource(v2);
  expect(config2.properties).not.toEqual(config1.properties);
  expect(config2.properties.FunctionFingerprint).not.toEqual(config1.properties.FunctionFingerprint);
  const updated = await onEvent(event('Update', config2.properties, config1.properties, created.PhysicalResourceId));
  expect(updated.PhysicalResourceId).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:${first}:2`);
  expect(functions.get(first)!.versions).toEqual(['nodejs22.x', 'nodejs20.x']);
  // the distribution follows the config resource's VersionArn
  const assoc = JSON.stringify(v2.site.findResources('AWS::CloudFront::Distribution'));
  expect(assoc).toContain(JSON.stringify({ 'Fn::GetAtt': [config2.id, 'VersionArn'] }));

  // ---- destroy: the function is retained (and tagged, for the cleanup); its replicas linger ----
  expect(edgeFunction(v2).resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  await onEvent(event('Delete', config2.properties, undefined, updated.PhysicalResourceId));
  stackResource = undefined; // both stacks are gone
  expect(functions.get(first)!.tags).toMatchObject({ 'cdk-cognito-edge-auth:function': 'ExampleSiteAuth9BB43E72' });
  functions.get(first)!.replicas = true;

  // ---- deploy again: a new function, no collision with the retained one ----
  const v3 = synth(lambda.Runtime.NODEJS_20_X);
  const second = cloudFormationCreatesFunction(v3);
  expect(second).not.toBe(first);
  const again = await onEvent(event('Create', configResource(v3).properties));
  expect(again.PhysicalResourceId).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:${second}:1`);
  expect(functions.get(first)!.versions).toHaveLength(2); // the retained one was not touched

  // ---- cleanup: the old function waits for its replicas, then goes; the live one stays ----
  const clients = defaultClients();
  expect(await cleanup(clients, true)).toEqual([
    { functionName: first, status: 'replicas', reason: expect.stringMatching(/run again later/) },
    { functionName: second, status: 'in-stack', reason: `in use: the edge function of stack ${v3.edgeStackName}` },
  ]);
  expect(functions.has(first)).toBe(true);
  functions.get(first)!.replicas = false; // hours later, CloudFront has removed them
  expect((await cleanup(clients, true)).map((f) => [f.functionName, f.status])).toEqual([[first, 'deleted'], [second, 'in-stack']]);
  expect([...functions.keys()]).toEqual([second]);
});

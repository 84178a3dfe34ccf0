/**
 * `npx cdk-cognito-edge-auth cleanup` with mocked SDK clients: retained functions found by tag;
 * replicas still present → listed, not failed; gone → deleted; functions still in a stack or on a
 * distribution are never deleted; report-only unless --delete.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { DeleteFunctionCommand, InvalidParameterValueException, LambdaClient } from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { cleanup, CleanupClients, defaultClients, FUNCTION_TAG, main } from '../../lambda-src/cli/cleanup';
import { FUNCTION_TAG as CONSTRUCT_TAG } from '../../src/private/edge-function';

const taggingMock = mockClient(ResourceGroupsTaggingAPIClient);
const cfnMock = mockClient(CloudFormationClient);
const cloudFrontMock = mockClient(CloudFrontClient);
const lambdaMock = mockClient(LambdaClient);

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const tagged = (name: string, stack = 'Site-edge-auth-us-east-1', logicalId = 'SiteAuthEC66B5F6EdgeFunction276D4EF1') => ({
  ResourceARN: arn(name),
  Tags: [
    { Key: FUNCTION_TAG, Value: 'SiteAuthEC66B5F6' },
    { Key: 'aws:cloudformation:stack-name', Value: stack },
    { Key: 'aws:cloudformation:logical-id', Value: logicalId },
  ],
});
const notFound = (message: string) => Object.assign(new Error(message), { name: 'ValidationError' });
const replicated = () => new InvalidParameterValueException({
  message: 'Lambda was unable to delete arn:aws:lambda:us-east-1:123456789012:function:x:1 because it is a replicated function.', $metadata: {},
});

let clients: CleanupClients;

beforeEach(() => {
  for (const m of [taggingMock, cfnMock, cloudFrontMock, lambdaMock]) m.reset();
  clients = defaultClients();
  cloudFrontMock.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 } });
  cfnMock.on(DescribeStackResourceCommand).rejects(notFound('Stack with id Site-edge-auth-us-east-1 does not exist'));
});

test('the tag it looks for is the one the construct sets, in us-east-1', async () => {
  expect(FUNCTION_TAG).toBe(CONSTRUCT_TAG);
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  await cleanup(clients, false);
  expect(taggingMock.commandCalls(GetResourcesCommand)[0].args[0].input).toMatchObject({
    TagFilters: [{ Key: CONSTRUCT_TAG }], ResourceTypeFilters: ['lambda:function'],
  });
  expect(await clients.tagging.config.region()).toBe('us-east-1');
});

test('report only by default: nothing is deleted, a retained function is listed as deletable', async () => {
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged('old-fn')] });
  const findings = await cleanup(clients, false);
  expect(findings).toEqual([{ functionName: 'old-fn', status: 'deletable', reason: expect.stringMatching(/--delete/) }]);
  expect(lambdaMock.commandCalls(DeleteFunctionCommand)).toHaveLength(0);
});

test('--delete: replicas still present → listed with the reason, not failed; gone → deleted', async () => {
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged('busy-fn'), tagged('free-fn')] });
  lambdaMock.on(DeleteFunctionCommand, { FunctionName: arn('busy-fn') }).rejects(replicated());
  lambdaMock.on(DeleteFunctionCommand, { FunctionName: arn('free-fn') }).resolves({});
  const findings = await cleanup(clients, true);
  expect(findings).toEqual([
    { functionName: 'busy-fn', status: 'replicas', reason: expect.stringMatching(/replicas.*run again later/) },
    { functionName: 'free-fn', status: 'deleted', reason: 'deleted' },
  ]);
  expect(lambdaMock.commandCalls(DeleteFunctionCommand)).toHaveLength(2);
});

test('a function that is still its stack\'s, or on a distribution, is kept even with --delete', async () => {
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged('live-fn', 'Live'), tagged('replaced-fn', 'Live'), tagged('on-dist-fn', 'Gone')] });
  cfnMock.on(DescribeStackResourceCommand, { StackName: 'Live' }).resolves({
    StackResourceDetail: {
      StackName: 'Live',
      LogicalResourceId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1',
      PhysicalResourceId: 'live-fn',
      ResourceType: 'AWS::Lambda::Function',
      ResourceStatus: 'UPDATE_COMPLETE',
      LastUpdatedTimestamp: new Date(),
    },
  });
  cloudFrontMock.on(ListDistributionsCommand).resolves({
    DistributionList: {
      IsTruncated: false,
      Marker: '',
      MaxItems: 100,
      Quantity: 1,
      Items: [{
        Id: 'E2EXAMPLE',
        DefaultCacheBehavior: { LambdaFunctionAssociations: { Quantity: 0, Items: [] } },
        CacheBehaviors: {
          Quantity: 1,
          Items: [{ PathPattern: '/x/*', LambdaFunctionAssociations: { Quantity: 1, Items: [{ EventType: 'viewer-request', LambdaFunctionARN: `${arn('on-dist-fn')}:3` }] } }],
        },
      } as never],
    },
  });
  lambdaMock.on(DeleteFunctionCommand).resolves({});
  const findings = await cleanup(clients, true);
  expect(findings.map((f) => [f.functionName, f.status])).toEqual([
    ['live-fn', 'in-stack'],
    ['replaced-fn', 'deleted'], // replaced in a live stack: the stack's resource is another function now
    ['on-dist-fn', 'associated'],
  ]);
  expect(findings[2].reason).toContain('E2EXAMPLE');
  expect(lambdaMock.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input.FunctionName)).toEqual([arn('replaced-fn')]);
});

test('pages through tagged resources and distributions', async () => {
  taggingMock.on(GetResourcesCommand)
    .resolvesOnce({ ResourceTagMappingList: [tagged('a')], PaginationToken: 'next' })
    .resolvesOnce({ ResourceTagMappingList: [tagged('b')], PaginationToken: '' });
  cloudFrontMock.on(ListDistributionsCommand)
    .resolvesOnce({ DistributionList: { Items: [], IsTruncated: true, NextMarker: 'm2', Marker: '', MaxItems: 1, Quantity: 0 } })
    .resolvesOnce({ DistributionList: { Items: [], IsTruncated: false, Marker: 'm2', MaxItems: 1, Quantity: 0 } });
  const findings = await cleanup(clients, false);
  expect(findings.map((f) => f.functionName)).toEqual(['a', 'b']);
  expect(cloudFrontMock.commandCalls(ListDistributionsCommand)[1].args[0].input).toEqual({ Marker: 'm2' });
});

test('an unexpected error on one function is reported (exit code 1), the others still handled', async () => {
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged('denied-fn'), tagged('free-fn')] });
  lambdaMock.on(DeleteFunctionCommand, { FunctionName: arn('denied-fn') }).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
  lambdaMock.on(DeleteFunctionCommand, { FunctionName: arn('free-fn') }).resolves({});
  const lines: string[] = [];
  const code = await main(['cleanup', '--delete'], () => clients, (s) => lines.push(s));
  expect(code).toBe(1);
  const out = lines.join('\n');
  expect(out).toMatch(/denied-fn\s+error\s+AccessDeniedException: not allowed/);
  expect(out).toMatch(/free-fn\s+deleted/);
  expect(out).toContain('deleted 1, deletable 0, waiting for replicas 0, in use 0, errors 1');
});

test('the command line: usage on unknown arguments, exit 0 when only replicas remain', async () => {
  const lines: string[] = [];
  expect(await main(['purge'], () => clients, (s) => lines.push(s))).toBe(2);
  expect(lines[0]).toMatch(/^usage: npx cdk-cognito-edge-auth cleanup \[--delete\]/);
  expect(await main(['cleanup', '--force'], () => clients, () => undefined)).toBe(2);
  taggingMock.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged('busy-fn')] });
  lambdaMock.on(DeleteFunctionCommand).rejects(replicated());
  expect(await main(['cleanup', '--delete'], () => clients, () => undefined)).toBe(0);
});

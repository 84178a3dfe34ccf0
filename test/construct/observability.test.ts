/**
 * Logs and metrics at the edge: log groups with a retention in every region replicas run in,
 * CloudFront's Lambda@Edge error metrics for the distribution, per-region function errors.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { addAuth, fixture } from './helpers';

const EDGE_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2',
  'ap-southeast-1', 'ap-southeast-2', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1'];

describe('edgeLogRetention', () => {
  test('creates /aws/lambda/us-east-1.<fn> in every regional-edge-cache region with the retention, and the us-east-1 test-invocation group', () => {
    const f = fixture();
    const auth = addAuth(f, { edgeLogRetention: logs.RetentionDays.ONE_MONTH });
    const t = Template.fromStack(f.stack);
    const retentions = Object.values(t.findResources('Custom::LogRetention')).map((r) => r.Properties);
    expect(retentions).toHaveLength(EDGE_REGIONS.length + 1);
    const name = (prefix: string) => f.stack.resolve(`${prefix}${auth.functionName}`);
    const replicaGroups = retentions.filter((p) => JSON.stringify(p.LogGroupName) === JSON.stringify(name('/aws/lambda/us-east-1.')));
    expect(replicaGroups.map((p) => p.LogGroupRegion).sort()).toEqual([...EDGE_REGIONS].sort());
    expect(new Set(retentions.map((p) => p.RetentionInDays))).toEqual(new Set([30]));
    expect(retentions).toContainEqual(expect.objectContaining({ LogGroupName: name('/aws/lambda/'), LogGroupRegion: 'us-east-1' }));
    // CloudFormation names the function: in this region the name comes from the published version's ARN
    expect(JSON.stringify(name(''))).toMatch(/"Fn::Select":\[6,\{"Fn::Split":\[":",\{"Fn::GetAtt":\["AuthEdgeConfig[0-9A-F]{8}","VersionArn"\]/);
  });

  test('edgeLogRegions narrows the regions', () => {
    const f = fixture();
    addAuth(f, { edgeLogRetention: logs.RetentionDays.ONE_WEEK, edgeLogRegions: ['eu-west-1', 'eu-central-1'] });
    const t = Template.fromStack(f.stack);
    t.resourceCountIs('Custom::LogRetention', 3);
    t.hasResourceProperties('Custom::LogRetention', { LogGroupRegion: 'eu-central-1', RetentionInDays: 7, LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/us-east-1.', Match.anyValue()]] } });
  });

  test('without it nothing is created; edgeLogRegions alone or empty, or a bad region, is refused', () => {
    const f = fixture();
    addAuth(f);
    Template.fromStack(f.stack).resourceCountIs('Custom::LogRetention', 0);
    expect(() => addAuth(fixture(), { edgeLogRegions: ['eu-west-1'] })).toThrow(/edgeLogRegions has no effect without edgeLogRetention/);
    expect(() => addAuth(fixture(), { edgeLogRetention: logs.RetentionDays.ONE_WEEK, edgeLogRegions: [] })).toThrow(/edgeLogRegions must name at least one region/);
    expect(() => addAuth(fixture(), { edgeLogRetention: logs.RetentionDays.ONE_WEEK, edgeLogRegions: ['Ireland'] })).toThrow(/edgeLogRegions must hold region names/);
  });
});

describe('metrics', () => {
  test('CloudFront Lambda@Edge errors for the distribution, in us-east-1', () => {
    const f = fixture();
    const auth = addAuth(f);
    const m = auth.metricLambdaExecutionErrors();
    expect(m.namespace).toBe('AWS/CloudFront');
    expect(m.metricName).toBe('LambdaExecutionError');
    expect(m.region).toBe('us-east-1');
    expect(m.statistic).toBe('Sum');
    expect(f.stack.resolve(m.dimensions)).toEqual({ DistributionId: { Ref: expect.stringMatching(/^Distribution[0-9A-F]+$/) }, Region: 'Global' });
    expect(auth.metricLambdaValidationErrors().metricName).toBe('LambdaValidationError');
  });

  test('per-region function errors of the replica us-east-1.<fn>', () => {
    const f = fixture();
    const auth = addAuth(f);
    const m = auth.metricFunctionErrors('eu-west-1');
    expect(m.namespace).toBe('AWS/Lambda');
    expect(m.metricName).toBe('Errors');
    expect(m.region).toBe('eu-west-1');
    expect(m.dimensions).toEqual({ FunctionName: `us-east-1.${auth.functionName}` });
    expect(JSON.stringify(f.stack.resolve(m.dimensions))).toContain('VersionArn');
    expect(m.period.toMinutes()).toBe(5);
    const tuned = auth.metricFunctionErrors('ap-northeast-1', { statistic: 'Average', period: Duration.minutes(1), label: 'Tokyo errors' });
    expect([tuned.statistic, tuned.period.toMinutes(), tuned.label, tuned.region]).toEqual(['Average', 1, 'Tokyo errors', 'ap-northeast-1']);
  });

  test('README example: an alarm in a us-east-1 stack on the CloudFront metric; per-region errors on a dashboard', () => {
    const f = fixture({ region: 'us-east-1' });
    const auth = addAuth(f);
    auth.metricLambdaExecutionErrors().createAlarm(f.stack, 'EdgeErrors', { threshold: 5, evaluationPeriods: 1 });
    new cloudwatch.Dashboard(f.stack, 'Edge', { widgets: [[new cloudwatch.GraphWidget({ left: [auth.metricFunctionErrors('eu-west-1')] })]] });
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/CloudFront',
      MetricName: 'LambdaExecutionError',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'Global' }]),
    });
    const body = JSON.stringify(Object.values(Template.fromStack(f.stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toMatch(/AWS\/Lambda[^a-z]+Errors[^a-z]+FunctionName[^a-z]+us-east-1\.[^a-z]+\{"Ref":"AuthEdgeFunction[0-9A-F]{8}"\}[^a-z]+region[^a-z]+eu-west-1/);
  });
});

/**
 * Logs and metrics at the edge: log groups with a retention in every region replicas run in,
 * CloudFront's Lambda@Edge error metrics for the distribution, per-region function errors.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ACCOUNT, addAuth, fixture, supportStack } from './helpers';

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

describe('per-region function errors in an alarm of another stack', () => {
  /** An alarm on metricFunctionErrors(region) in a new stack of that region; the synthesised templates. */
  function alarmIn(siteRegion: string, alarmRegion: string, props: Parameters<typeof addAuth>[1] = {}) {
    const f = fixture({ region: siteRegion });
    const auth = addAuth(f, props);
    const alarms = new Stack(f.app, 'Alarms', { env: { account: ACCOUNT, region: alarmRegion }, crossRegionReferences: true });
    new cloudwatch.Alarm(alarms, 'EdgeErrors', { metric: auth.metricFunctionErrors(alarmRegion), threshold: 1, evaluationPeriods: 1 });
    const assembly = f.app.synth();
    type Tpl = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs?: Record<string, unknown> };
    const template = (name: string): Tpl => assembly.getStackByName(name).template;
    const alarm = Object.values(template('Alarms').Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const dimension = JSON.stringify(alarm?.Properties.Dimensions);
    return { f, auth, template, dimension };
  }

  /** The edge function's logical id in `stack` and whether CloudFormation still names it (no FunctionName property). */
  function edgeFunctionOf(stack: Stack): { logicalId: string; named: boolean } {
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { MemorySize: 128 } });
    const [[logicalId, fn]] = Object.entries(fns);
    return { logicalId, named: fn.Properties.FunctionName !== undefined };
  }

  test('construct in us-east-1, alarm in eu-west-1: the function\'s Ref crosses regions; the function keeps its CloudFormation-chosen name', () => {
    const { f, dimension } = alarmIn('us-east-1', 'eu-west-1');
    const fn = edgeFunctionOf(f.stack);
    expect(fn.named).toBe(false);
    expect(dimension).toMatch(new RegExp(`"us-east-1\\.",\\{"Fn::GetAtt":\\["ExportsReader[0-9A-F]+","/cdk/exports/Alarms/Siteuseast1Ref${fn.logicalId}`));
  });

  test('construct in eu-west-1: an alarm in ap-northeast-1 reads the support stack\'s function Ref, never the version ARN', () => {
    const { f, dimension, template } = alarmIn('eu-west-1', 'ap-northeast-1');
    const fn = edgeFunctionOf(supportStack(f));
    expect(fn.named).toBe(false);
    expect(dimension).toMatch(new RegExp(`/cdk/exports/Alarms/Siteedgeauthuseast1Ref${fn.logicalId}`));
    expect(dimension).not.toMatch(/VersionArn|EdgeConfig/);
    // the construct's own stack keeps its local value (read from the version ARN), and exports nothing
    const own = JSON.stringify(template('Site'));
    expect(own).not.toMatch(/ExportsWriter|ExportsOutput/);
  });

  test('construct in eu-west-1: an alarm in us-east-1 imports the support stack\'s export of the function Ref', () => {
    const { f, dimension, template } = alarmIn('eu-west-1', 'us-east-1');
    const fn = edgeFunctionOf(supportStack(f));
    expect(dimension).toMatch(/"Fn::ImportValue":"Site-edge-auth-us-east-1:ExportsOutputRef/);
    const outputs = Object.values(template('Site-edge-auth-us-east-1').Outputs ?? {}) as Array<{ Value: unknown }>;
    expect(outputs.map((o) => o.Value)).toEqual([{ Ref: fn.logicalId }]);
  });

  test('a change that publishes a new version leaves the value the alarm\'s stack reads unchanged (an import blocks changing an export)', () => {
    const a = alarmIn('eu-west-1', 'ap-northeast-1', { requiredGroups: ['staff'] });
    const b = alarmIn('eu-west-1', 'ap-northeast-1', { requiredGroups: ['admins'] });
    const config = (x: typeof a) => JSON.stringify(Template.fromStack(x.f.stack).findResources('Custom::CognitoEdgeAuthConfig'));
    expect(config(a)).not.toEqual(config(b));
    expect(a.template('Alarms')).toEqual(b.template('Alarms'));
    expect(a.template('Site-edge-auth-us-east-1')).toEqual(b.template('Site-edge-auth-us-east-1'));
  });

  test('an alarm outside the metric\'s region, or a replicaRegion that is no region, is refused at synth', () => {
    const f = fixture();
    const auth = addAuth(f);
    expect(() => auth.metricFunctionErrors('eu-west-2').createAlarm(f.stack, 'Wrong', { threshold: 1, evaluationPeriods: 1 })).toThrow(/Cannot create an Alarm in region 'eu-west-1' based on metric .* in 'eu-west-2'/);
    expect(() => auth.metricFunctionErrors('Ireland')).toThrow(/metricFunctionErrors: replicaRegion must be a region name such as 'eu-west-1'.*"Ireland"/);
    expect(() => auth.metricFunctionErrors(Aws.REGION)).toThrow(/replicaRegion must be a region name such as 'eu-west-1' \(known at synth\)/);
  });
});

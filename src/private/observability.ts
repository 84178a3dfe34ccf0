/**
 * Logs and metrics of the edge function. Lambda@Edge replicas log to
 * `/aws/lambda/us-east-1.<function>` in the region that served the request, in log groups Lambda
 * creates on first use and that never expire; an edge log retention creates them in advance, in
 * every region with a CloudFront regional edge cache, with the retention set (aws-cdk-lib's
 * `LogRetention`, which works across regions).
 *
 * The function's name is chosen by CloudFormation, so it is a token everywhere. Metrics on the
 * replicas need it in other stacks, often in other regions (an alarm must be in its metric's
 * region): those stacks get the function's own Ref, never a value that changes with each published
 * version (an exported value cannot change while another stack imports it).
 */
import { Duration, IResolveContext, Lazy, NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EDGE_REGION } from './edge-function';
import { ValidationError } from './errors';
import { acknowledge } from './nag';
import { requireConcrete } from './validate';
import type { EdgeMetricOptions } from '../cognito-edge-auth-props';

/** Regions with a CloudFront regional edge cache, where Lambda@Edge replicas run and log. */
export const REGIONAL_EDGE_CACHE_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1',
];

/** The construct id of aws-cdk-lib's LogRetention function (one per stack). */
const LOG_RETENTION_SINGLETON = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

/** `edgeLogRegions` only goes with `edgeLogRetention`. */
export function validateEdgeLogProps(retention: logs.RetentionDays | undefined, regions: string[] | undefined): void {
  if (retention === undefined && regions !== undefined) {
    throw new ValidationError('edgeLogRegions has no effect without edgeLogRetention; set edgeLogRetention (e.g. RetentionDays.ONE_MONTH) or remove edgeLogRegions');
  }
}

/**
 * Create the edge function's log groups with `retention`: `/aws/lambda/us-east-1.<fn>` in each
 * region, and `/aws/lambda/<fn>` (test invocations) in us-east-1.
 */
export function edgeLogRetention(scope: Construct, functionName: string, retention: logs.RetentionDays, regions: string[] | undefined): void {
  const list = regions ?? REGIONAL_EDGE_CACHE_REGIONS;
  requireConcrete(list, 'edgeLogRegions');
  if (list.length === 0) throw new ValidationError('edgeLogRegions must name at least one region; leave it out for every region with a regional edge cache');
  for (const region of new Set(list)) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw new ValidationError(`edgeLogRegions must hold region names such as 'eu-west-1', got ${JSON.stringify(region)}`);
    }
    new logs.LogRetention(scope, `EdgeLogRetention-${region}`, {
      logGroupName: `/aws/lambda/${EDGE_REGION}.${functionName}`,
      logGroupRegion: region,
      retention,
    });
  }
  new logs.LogRetention(scope, 'EdgeLogRetention', { logGroupName: `/aws/lambda/${functionName}`, logGroupRegion: EDGE_REGION, retention });

  const singleton = Stack.of(scope).node.tryFindChild(LOG_RETENTION_SINGLETON);
  const role = singleton?.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledge(role, [{
      rule: 'AwsSolutions-IAM4',
      finding: 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      reason: 'aws-cdk-lib\'s LogRetention function (edgeLogRetention) writes its own logs with the basic execution role.',
    }]);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(policy, [{
        rule: 'AwsSolutions-IAM5',
        finding: 'Resource::*',
        reason: 'aws-cdk-lib\'s LogRetention function (edgeLogRetention) creates the edge function\'s log groups in every edge region and sets their retention; it has no narrower resource form.',
      }]);
    }
  }
}

/**
 * The edge function's name as seen from the stack that uses it. The construct's own stack (and its
 * nested stacks) gets `local`, a value of that stack; every other stack gets the function's Ref, a
 * cross-stack (or, with `crossRegionReferences`, cross-region) reference to the function's stack
 * that stays the same when a new version is published. When the function is in the construct's
 * own stack (us-east-1), its Ref serves everywhere. (The L1 Ref, not `Function.functionName`: from
 * another region, that one asks for a fixed physical name, and CloudFormation names the function.)
 */
export function edgeFunctionName(owner: Construct, fn: lambda.IFunction, local: string): string {
  const ref = (fn.node.defaultChild as lambda.CfnFunction).ref;
  const own = Stack.of(owner);
  if (Stack.of(fn) === own) return ref;
  return Lazy.uncachedString({ produce: (ctx: IResolveContext) => (within(Stack.of(ctx.scope), own) ? local : ref) });
}

/** Is `stack` the stack `own`, or nested (at any depth) in it? */
function within(stack: Stack, own: Stack): boolean {
  let s: Stack | undefined = stack;
  while (s !== undefined && s !== own) s = NestedStack.isNestedStack(s) ? s.nestedStackParent : undefined;
  return s === own;
}

/** Refuse a `metricFunctionErrors` region that cannot be one (replicas publish metrics in regions only). */
export function checkReplicaRegion(region: string): void {
  if (Token.isUnresolved(region) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new ValidationError(`metricFunctionErrors: replicaRegion must be a region name such as 'eu-west-1' (known at synth), got ${JSON.stringify(region)}`);
  }
}

/** A CloudFront metric of the distribution's Lambda@Edge functions (`AWS/CloudFront`, published in us-east-1). */
export function cloudFrontMetric(distributionId: string, metricName: string, options: EdgeMetricOptions): cloudwatch.Metric {
  return metric('AWS/CloudFront', metricName, { DistributionId: distributionId, Region: 'Global' }, EDGE_REGION, options);
}

/** The `AWS/Lambda` `Errors` of the edge function's replica `us-east-1.<function name>` in `replicaRegion`. */
export function replicaErrorsMetric(functionName: string, replicaRegion: string, options: EdgeMetricOptions): cloudwatch.Metric {
  return metric('AWS/Lambda', 'Errors', { FunctionName: `${EDGE_REGION}.${functionName}` }, replicaRegion, options);
}

/** A metric with the options' statistic (default Sum), period (default 5 minutes) and label. */
function metric(
  namespace: string, metricName: string, dimensionsMap: Record<string, string>, region: string, options: EdgeMetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
    label: options.label,
    namespace,
    metricName,
    dimensionsMap,
    region,
  });
}

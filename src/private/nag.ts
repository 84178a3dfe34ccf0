/**
 * The construct's own cdk-nag (AwsSolutions) acknowledgements, each with its reason, so that users
 * do not have to copy them. Written as metadata only (no dependency on cdk-nag):
 *
 * - cdk-nag 3 reads the construct metadata `aws:cdk:acknowledged-rules` (aws-cdk-lib's
 *   `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`) on a resource or any of its scopes, keyed by the
 *   finding id (`AwsSolutions-IAM5[Resource::...]`);
 * - cdk-nag 2 reads the CloudFormation metadata `cdk_nag.rules_to_suppress` of the resource itself
 *   (what `NagSuppressions.addResourceSuppressions` writes), with `applies_to` for the findings of
 *   rules such as IAM5.
 *
 * Only findings the construct causes are acknowledged, on the resources that cause them.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { ConfigProvider } from './config-provider';
import { EDGE_REGION, EdgeFunctionParts } from './edge-function';

/** aws-cdk-lib's `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` (a constant, spelled out for older aws-cdk-lib). */
export const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

/** One acknowledged finding. */
export interface NagAcknowledgement {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly rule: string;
  /** The finding within the rule (IAM5: `Resource::<arn>`), when the rule reports findings. */
  readonly finding?: string;
  readonly reason: string;
}

export const NAG_REASONS = {
  edgeLogs: 'Lambda@Edge replicas log in whichever region serves the request: the edge role may write to its own log group ' +
    '(/aws/lambda/us-east-1.<function>) in any region, and to any stream in it.',
  edgeTestLogs: 'Any log stream of the edge function\'s own us-east-1 log group (streams are named by Lambda at run time).',
  versions: 'The config injector reads the state of the versions it publishes of its one edge function (version numbers are assigned at deploy time).',
  functionByTag: 'CloudFormation names the edge function in the us-east-1 support stack, so its name is not known here; the statement is ' +
    'conditioned on the tag that only this construct\'s function carries (aws:ResourceTag/cdk-cognito-edge-auth:function).',
  supportStack: 'DescribeStackResource on the support stack (any stack id of that name) finds the edge function\'s name.',
  runtime: 'The edge function and the config injector run Node.js 22, a supported runtime that Lambda@Edge runs; ' +
    'the edge function\'s runtime prop picks another, and upgrades of the default are a library release.',
  stateSecret: 'The state-signing key signs OAuth state that lives at most 10 minutes; it is copied into the function version at deploy time, ' +
    'so an automatic rotation would not reach the edge. Rotate it by redeploying after changing it.',
} as const;

/** Record `acks` on `resource` (a CfnResource, or a construct whose default child is one). */
export function acknowledge(resource: IConstruct, acks: NagAcknowledgement[]): void {
  const cfn = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) return;
  const v3: Record<string, string> = {};
  for (const a of acks) v3[a.finding === undefined ? a.rule : `${a.rule}[${a.finding}]`] = a.reason;
  cfn.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, v3);

  const existing = (cfn.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
  const v2: unknown[] = [...existing];
  for (const a of acks) {
    const same = v2.find((r) => (r as { id?: string; reason?: string }).id === a.rule && (r as { reason?: string }).reason === a.reason) as
      { applies_to?: string[] } | undefined;
    if (a.finding !== undefined && same?.applies_to) {
      if (!same.applies_to.includes(a.finding)) same.applies_to.push(a.finding);
    } else if (!same) {
      v2.push(a.finding === undefined ? { id: a.rule, reason: a.reason } : { id: a.rule, reason: a.reason, applies_to: [a.finding] });
    }
  }
  cfn.addMetadata('cdk_nag', { rules_to_suppress: v2 });
}

/**
 * The findings one CognitoEdgeAuth causes: the edge role's log permissions and the function's
 * runtime, the config injector's permissions on the edge function (`provider.allow` done), its runtime.
 */
export function acknowledgeConstructFindings(edge: EdgeFunctionParts, provider: ConfigProvider): void {
  // cdk-nag reports the function's name (chosen by CloudFormation) as its logical id: `<EdgeFunctionXXXX>`.
  const fnStack = Stack.of(edge.function);
  const fnRef = `<${fnStack.getLogicalId(edge.function.node.defaultChild as lambda.CfnFunction)}>`;
  acknowledge(edge.logsPolicy, [
    { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:logs:*:${fnStack.account}:log-group:/aws/lambda/${EDGE_REGION}.${fnRef}:*`, reason: NAG_REASONS.edgeLogs },
    { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:logs:${EDGE_REGION}:${fnStack.account}:log-group:/aws/lambda/${fnRef}:*`, reason: NAG_REASONS.edgeTestLogs },
  ]);
  acknowledge(edge.function, [{ rule: 'AwsSolutions-L1', reason: NAG_REASONS.runtime }]);
  const providerPolicy = provider.role.node.tryFindChild('DefaultPolicy');
  if (providerPolicy) {
    const account = Stack.of(provider).account;
    acknowledge(providerPolicy, edge.inOwnStack
      ? [{ rule: 'AwsSolutions-IAM5', finding: `Resource::${fnRef.slice(0, -1)}.Arn>:*`, reason: NAG_REASONS.versions }]
      : [
        { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:lambda:${EDGE_REGION}:${account}:function:*`, reason: NAG_REASONS.functionByTag },
        { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:cloudformation:${EDGE_REGION}:${account}:stack/${fnStack.stackName}/*`, reason: NAG_REASONS.supportStack },
      ]);
  }
  acknowledge(provider.function, [{ rule: 'AwsSolutions-L1', reason: NAG_REASONS.runtime }]);
}

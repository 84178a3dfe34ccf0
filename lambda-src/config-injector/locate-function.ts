/**
 * Where the edge function is. The construct lets CloudFormation name it (so a retained function
 * never blocks the next deploy), and tells the config injector either its name (same stack, by
 * reference) or the us-east-1 support stack and logical id that hold it: a cross-region reference
 * is not possible, so the name is read from that stack at deploy time.
 *
 * Properties: `FunctionName`, or `FunctionStackName` + `FunctionLogicalId`; `FunctionRegion`.
 */
// The AWS SDK v3 clients are devDependencies on purpose: Lambda's Node.js runtime provides them (esbuild keeps them external).
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { log } from './log';
import { JsonObject, nonEmptyString } from '../shared/assert';
import { ConfigError, configFail } from '../shared/config-error';

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : nonEmptyString(value, configFail(what));
}

/** The function's name (or ARN), from the custom resource's properties. */
export async function locateFunction(p: JsonObject, region: string): Promise<string> {
  const name = optionalString(p.FunctionName, 'FunctionName');
  if (name !== undefined) return name;
  const stackName = optionalString(p.FunctionStackName, 'FunctionStackName');
  if (stackName === undefined) throw new ConfigError('FunctionName or FunctionStackName must be given');
  const logicalId = nonEmptyString(p.FunctionLogicalId, configFail('FunctionLogicalId'));
  const out = await new CloudFormationClient({ region }).send(
    new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
  );
  const detail = out.StackResourceDetail;
  if (!detail?.PhysicalResourceId) {
    throw new Error(`stack ${stackName} in ${region} has no physical id for ${logicalId} (is it deployed?)`);
  }
  if (detail.ResourceType !== undefined && detail.ResourceType !== 'AWS::Lambda::Function') {
    throw new ConfigError(`${logicalId} in stack ${stackName} is a ${detail.ResourceType}, not a Lambda function`);
  }
  log('info', 'edge function found in its stack', { stackName, logicalId, functionName: detail.PhysicalResourceId });
  return detail.PhysicalResourceId;
}

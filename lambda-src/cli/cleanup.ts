/**
 * `npx cdk-cognito-edge-auth cleanup [--delete]`: the edge functions the construct left behind.
 *
 * The construct retains its Lambda@Edge function on `cdk destroy` and when it replaces it,
 * because CloudFront keeps replicas of it for hours after the last distribution stops using it
 * and until then it cannot be deleted. This command finds those functions in us-east-1 by the tag
 * the construct puts on them (`cdk-cognito-edge-auth:function`) and, for each:
 *
 * - still the function of its stack → kept ("in use by stack ...");
 * - still associated with a distribution → kept ("associated with distribution ...");
 * - otherwise retained: reported as deletable; with `--delete`, deleted, or, while CloudFront
 *   still has replicas, listed with that reason (run the command again later: not a failure).
 *
 * Report-only unless `--delete` is given. Exit code 1 only when a call failed unexpectedly.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

/** The tag the construct puts on its edge function and role (src/private/edge-function.ts). */
export const FUNCTION_TAG = 'cdk-cognito-edge-auth:function';
/** Lambda@Edge functions live here. */
export const EDGE_REGION = 'us-east-1';

export interface CleanupClients {
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly cloudFormation: CloudFormationClient;
  readonly cloudFront: CloudFrontClient;
  readonly lambda: LambdaClient;
}

export type FindingStatus =
  | 'in-stack' // the current function of a live stack
  | 'associated' // a distribution still uses one of its versions
  | 'deletable' // retained, nothing uses it (report-only run)
  | 'deleted'
  | 'replicas' // CloudFront still has replicas: try again later
  | 'error';

export interface Finding {
  readonly functionName: string;
  readonly status: FindingStatus;
  readonly reason: string;
}

export function defaultClients(): CleanupClients {
  const region = EDGE_REGION;
  return {
    tagging: new ResourceGroupsTaggingAPIClient({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    cloudFront: new CloudFrontClient({ region }),
    lambda: new LambdaClient({ region }),
  };
}

/** `arn:aws:lambda:us-east-1:1234:function:name[:version]` → `name`. */
export function functionNameOf(arn: string): string {
  return arn.split(':')[6] ?? arn;
}

interface Tagged {
  readonly arn: string;
  readonly tags: Record<string, string>;
}

async function taggedFunctions(c: CleanupClients): Promise<Tagged[]> {
  const out: Tagged[] = [];
  let token: string | undefined;
  do {
    const page = await c.tagging.send(new GetResourcesCommand({
      TagFilters: [{ Key: FUNCTION_TAG }], ResourceTypeFilters: ['lambda:function'], PaginationToken: token,
    }));
    for (const r of page.ResourceTagMappingList ?? []) {
      if (!r.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const t of r.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
      out.push({ arn: r.ResourceARN, tags });
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return out;
}

/** Function name → ids of the distributions that have one of its versions in a behaviour. */
async function associations(c: CleanupClients): Promise<Map<string, string[]>> {
  const byFunction = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const page = await c.cloudFront.send(new ListDistributionsCommand({ Marker: marker }));
    const list = page.DistributionList;
    for (const d of list?.Items ?? []) {
      const behaviours = [d.DefaultCacheBehavior, ...(d.CacheBehaviors?.Items ?? [])];
      for (const b of behaviours) {
        for (const a of b?.LambdaFunctionAssociations?.Items ?? []) {
          if (!a.LambdaFunctionARN || !d.Id) continue;
          const name = functionNameOf(a.LambdaFunctionARN);
          const ids = byFunction.get(name) ?? [];
          if (!ids.includes(d.Id)) ids.push(d.Id);
          byFunction.set(name, ids);
        }
      }
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
  return byFunction;
}

/** The stack that still owns the function, if any (CloudFormation's own tags say which one it was). */
async function owningStack(c: CleanupClients, fn: Tagged): Promise<string | undefined> {
  const stackName = fn.tags['aws:cloudformation:stack-name'];
  const logicalId = fn.tags['aws:cloudformation:logical-id'];
  if (!stackName || !logicalId) return undefined;
  try {
    const out = await c.cloudFormation.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
    const detail = out.StackResourceDetail;
    const stillOurs = detail?.PhysicalResourceId === functionNameOf(fn.arn) && !(detail.ResourceStatus ?? '').startsWith('DELETE_');
    return stillOurs ? stackName : undefined;
  } catch (error) {
    // "Stack with id X does not exist" (destroyed) or the resource is gone from it
    if (error instanceof Error && error.name === 'ValidationError') return undefined;
    throw error;
  }
}

function isReplicaError(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidParameterValueException' && /replicat/i.test(error.message);
}

/** Find the library's retained edge functions; delete the ones CloudFront has released when `del`. */
export async function cleanup(c: CleanupClients, del: boolean): Promise<Finding[]> {
  const functions = await taggedFunctions(c);
  const used = functions.length > 0 ? await associations(c) : new Map<string, string[]>();
  const findings: Finding[] = [];
  for (const fn of functions) {
    const functionName = functionNameOf(fn.arn);
    try {
      const stack = await owningStack(c, fn);
      if (stack !== undefined) {
        findings.push({ functionName, status: 'in-stack', reason: `in use: the edge function of stack ${stack}` });
        continue;
      }
      const distributions = used.get(functionName);
      if (distributions !== undefined) {
        findings.push({ functionName, status: 'associated', reason: `still associated with distribution ${distributions.join(', ')}` });
        continue;
      }
      if (!del) {
        findings.push({ functionName, status: 'deletable', reason: 'retained, in no stack, used by no distribution: deletable once CloudFront has removed its replicas (run with --delete)' });
        continue;
      }
      try {
        await c.lambda.send(new DeleteFunctionCommand({ FunctionName: fn.arn }));
        findings.push({ functionName, status: 'deleted', reason: 'deleted' });
      } catch (error) {
        if (!isReplicaError(error)) throw error;
        findings.push({
          functionName,
          status: 'replicas',
          reason: 'CloudFront still has replicas (removed a few hours after the last distribution stopped using it): run again later',
        });
      }
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      const message = error instanceof Error ? error.message : String(error);
      findings.push({ functionName, status: 'error', reason: `${name}: ${message}` });
    }
  }
  return findings;
}

/** The report, one line per function, and a closing count. */
export function report(findings: readonly Finding[], del: boolean): string {
  const lines = [`cdk-cognito-edge-auth cleanup in ${EDGE_REGION} (${del ? 'deleting' : 'report only; --delete deletes'}): ${findings.length} tagged function(s)`];
  const width = Math.max(0, ...findings.map((f) => f.functionName.length));
  for (const f of findings) lines.push(`  ${f.functionName.padEnd(width)}  ${f.status.padEnd(10)}  ${f.reason}`);
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  lines.push(`deleted ${count('deleted')}, deletable ${count('deletable')}, waiting for replicas ${count('replicas')}, ` +
    `in use ${count('in-stack') + count('associated')}, errors ${count('error')}`);
  lines.push('Their roles (tagged the same) and the log groups /aws/lambda/us-east-1.<function> in the regions that served requests stay: delete them in the console when no longer wanted.');
  return lines.join('\n');
}

const USAGE = `usage: npx cdk-cognito-edge-auth cleanup [--delete]

Finds the Lambda@Edge functions cdk-cognito-edge-auth left behind in us-east-1 (tag
${FUNCTION_TAG}) in the account of your AWS credentials, and lists each with its state.
--delete  delete those that no stack and no distribution uses and whose replicas are gone`;

/** The command line: returns the exit code. */
export async function main(argv: readonly string[], clients: () => CleanupClients = defaultClients,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'cleanup' || rest.some((a) => a !== '--delete')) {
    out(USAGE);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  const del = rest.includes('--delete');
  const findings = await cleanup(clients(), del);
  out(report(findings, del));
  return findings.some((f) => f.status === 'error') ? 1 : 0;
}

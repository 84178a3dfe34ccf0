/**
 * The viewer-request function and its role, in us-east-1 whatever the stack's region (the way
 * `cloudfront.experimental.EdgeFunction` does it): in the construct itself when the stack is in
 * us-east-1, else in a us-east-1 support stack that the stack depends on.
 *
 * Construct ids (`EdgeRole`, `EdgeFunction`, the support stack's id and the scope inside it) are
 * public contract: changing them replaces users' functions.
 */
import * as crypto from 'node:crypto';
import { Aws, Duration, Names, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { Settings } from './settings';
import { requireConcrete } from './validate';

/** Region where Lambda@Edge functions live. */
export const EDGE_REGION = 'us-east-1';

/**
 * The function's code until the config injector writes the real bundle with its config.json.
 * Never attached to CloudFront ($LATEST is not associable).
 */
const PLACEHOLDER_CODE = "exports.handler = async () => { throw new Error('cdk-cognito-edge-auth: not configured yet'); };";

/** The edge function of one CognitoEdgeAuth. */
export interface EdgeFunctionParts {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  /** Its name, fixed at synth: the config injector finds the function by it. */
  readonly functionName: string;
  /** Is it in the construct's own stack (us-east-1), rather than in the support stack? */
  readonly inOwnStack: boolean;
}

/** Create the edge function and its least-privilege role for the construct `owner`. */
export function createEdgeFunction(owner: Construct, settings: Settings): EdgeFunctionParts {
  const stack = Stack.of(owner);
  const functionName = edgeFunctionName(owner);
  const inOwnStack = stack.region === EDGE_REGION;
  const scope = inOwnStack ? owner : supportScope(owner);
  const role = new iam.Role(scope, 'EdgeRole', { // id: public contract
    assumedBy: new iam.CompositePrincipal(
      new iam.ServicePrincipal('lambda.amazonaws.com'),
      new iam.ServicePrincipal('edgelambda.amazonaws.com'),
    ),
    description: `Lambda@Edge role of ${functionName} (cdk-cognito-edge-auth): writes its own logs only`,
    inlinePolicies: {
      Logs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [
            // replicas log in the region that served the request
            `arn:${Aws.PARTITION}:logs:*:${stack.account}:log-group:/aws/lambda/${EDGE_REGION}.${functionName}:*`,
            // test invocations in us-east-1
            `arn:${Aws.PARTITION}:logs:${EDGE_REGION}:${stack.account}:log-group:/aws/lambda/${functionName}:*`,
          ],
        })],
      }),
    },
  });
  const fn = new lambda.Function(scope, 'EdgeFunction', { // id: public contract
    functionName,
    description: 'cdk-cognito-edge-auth viewer-request function (code and config.json written at deploy time)',
    runtime: settings.runtime,
    handler: 'index.handler',
    code: lambda.Code.fromInline(PLACEHOLDER_CODE),
    role,
    memorySize: 128, // viewer-request limit
    timeout: Duration.seconds(5), // viewer-request limit
  });
  fn.applyRemovalPolicy(settings.removalPolicy);
  role.applyRemovalPolicy(settings.removalPolicy);
  return { function: fn, role, functionName, inOwnStack };
}

/**
 * Deterministic name of the edge function: unique per stack name, region and construct path,
 * at most 64 characters. The config injector finds the function in us-east-1 by this name.
 */
function edgeFunctionName(scope: Construct): string {
  const stack = Stack.of(scope);
  requireConcrete(stack.stackName, 'the stack name');
  const hash = crypto.createHash('sha256').update(`${stack.stackName}\0${stack.region}\0${scope.node.path}`).digest('hex').slice(0, 10);
  const readable = `${stack.stackName}-${scope.node.id}`.replace(/[^A-Za-z0-9-_]/g, '').slice(0, 64 - hash.length - 1);
  return `${readable}-${hash}`;
}

/** A scope in the us-east-1 support stack of this construct's stack (created once per stack). */
function supportScope(scope: Construct): Construct {
  const stack = Stack.of(scope);
  const stage = Stage.of(scope);
  if (!stage) {
    throw new ValidationError('the stack must be part of a CDK app or stage (the edge function goes into a us-east-1 support stack)');
  }
  const supportId = `${stack.stackName.slice(0, 100)}-edge-auth-${EDGE_REGION}`;
  let support = stage.node.tryFindChild(supportId) as Stack | undefined;
  if (!support) {
    support = new Stack(stage, supportId, {
      env: { account: stack.account, region: EDGE_REGION },
      description: `Lambda@Edge functions of ${stack.stackName} (cdk-cognito-edge-auth)`,
      tags: stack.tags.tagValues(),
    });
    // The stack deploys after its support stack (construct-level dependency: Stack.addDependency
    // is deprecated on newer aws-cdk-lib, in favour of a method older versions do not have).
    stack.node.addDependency(support);
  }
  return new Construct(support, Names.uniqueId(scope));
}

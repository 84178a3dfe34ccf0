/**
 * The viewer-request function and its role, in us-east-1 whatever the stack's region (the way
 * `cloudfront.experimental.EdgeFunction` does it): in the construct itself when the stack is in
 * us-east-1, else in a us-east-1 support stack that the stack depends on (see ./support-stack.ts).
 *
 * The function has no fixed name: CloudFormation names it, so a retained function (after a
 * destroy or a replacement) never blocks the next deploy. The config injector finds it by
 * reference when it is in the same stack, else by `DescribeStackResource` on the support stack
 * (stack name and logical id are known at synth), and may touch only the function that carries
 * this construct's {@link FUNCTION_TAG}.
 *
 * Construct ids (`EdgeRole`, `EdgeFunction`, the support stack's id and the scope inside it) are
 * public contract: changing them replaces users' functions.
 */
import { Aws, Duration, Names, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { renderingFingerprint } from './fingerprint';
import { Settings } from './settings';
import { supportStackOf, SupportStackOptions } from './support-stack';

/** Region where Lambda@Edge functions live. */
export const EDGE_REGION = 'us-east-1';

/**
 * Tag on the edge function and its role. Its value identifies the construct in the app; the
 * config injector's permissions are conditioned on it (when the function is in the support
 * stack), and `npx cdk-cognito-edge-auth cleanup` finds retained functions by it.
 * Public contract: the cleanup command of older and newer releases looks for this key.
 */
export const FUNCTION_TAG = 'cdk-cognito-edge-auth:function';

/**
 * The function's code until the config injector writes the real bundle with its config.json.
 * Never attached to CloudFront ($LATEST is not associable).
 */
const PLACEHOLDER_CODE = "exports.handler = async () => { throw new Error('cdk-cognito-edge-auth: not configured yet'); };";

/** The stack of `scope`, which must have a literal account and region (the function is named and placed at synth). */
export function requireExplicitEnvironment(scope: Construct): Stack {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
    throw new ValidationError('the stack needs an explicit account and region, because the edge function is created in us-east-1 ' +
      'and named at synth time: set env on the stack, with an account and a region (e.g. account 123456789012, region eu-west-1)');
  }
  return stack;
}

/** Where the config injector finds the function: properties of the config custom resource. */
export type FunctionLocation =
  /** Same stack: the function's name, by reference. */
  | { readonly FunctionName: string }
  /** Support stack: looked up with DescribeStackResource at deploy time. */
  | { readonly FunctionStackName: string; readonly FunctionLogicalId: string };

/** The edge function of one CognitoEdgeAuth. */
export interface EdgeFunctionParts {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  /** The role's log permissions (`EdgeLogs`): they name the function. */
  readonly logsPolicy: iam.Policy;
  /** Is it in the construct's own stack (us-east-1), rather than in the support stack? */
  readonly inOwnStack: boolean;
  /** How the config injector finds it. */
  readonly location: FunctionLocation;
  /** Value of {@link FUNCTION_TAG} on the function and its role. */
  readonly tagValue: string;
  /**
   * A hash of the function's and its role's CloudFormation properties (runtime, memory, timeout,
   * role, architecture, policies...): part of the config resource's properties, so that any
   * change to what runs at the edge publishes a new version.
   */
  readonly fingerprint: string;
}

/** Create the edge function and its least-privilege role for the construct `owner`. */
export function createEdgeFunction(owner: Construct, settings: Settings, support: SupportStackOptions = {}): EdgeFunctionParts {
  const stack = Stack.of(owner);
  const inOwnStack = support.edgeStack !== undefined ? support.edgeStack === stack : stack.region === EDGE_REGION;
  const scope = inOwnStack ? owner : new Construct(supportStackOf(owner, support), Names.uniqueId(owner));
  const tagValue = Names.uniqueId(owner);
  const role = new iam.Role(scope, 'EdgeRole', { // id: public contract
    assumedBy: new iam.CompositePrincipal(
      new iam.ServicePrincipal('lambda.amazonaws.com'),
      new iam.ServicePrincipal('edgelambda.amazonaws.com'),
    ),
    description: `Lambda@Edge role of ${owner.node.path} (cdk-cognito-edge-auth): writes its own logs only`.slice(0, 1000),
  });
  const fn = new lambda.Function(scope, 'EdgeFunction', { // id: public contract
    description: 'cdk-cognito-edge-auth viewer-request function (code and config.json written at deploy time)',
    runtime: settings.runtime,
    handler: 'index.handler',
    code: lambda.Code.fromInline(PLACEHOLDER_CODE),
    role,
    memorySize: 128, // viewer-request limit
    timeout: Duration.seconds(5), // viewer-request limit
  });
  // The log permissions name the function, which references the role: a policy of its own (the
  // role's inline policy would make a cycle). The function does not depend on it; it exists before
  // the distribution uses the function (the config resource comes after this stack).
  const fnStack = Stack.of(fn);
  const logsPolicy = new iam.Policy(scope, 'EdgeLogs', {
    roles: [role],
    statements: [new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [
        // replicas log in the region that served the request
        `arn:${Aws.PARTITION}:logs:*:${fnStack.account}:log-group:/aws/lambda/${EDGE_REGION}.${fn.functionName}:*`,
        // test invocations in us-east-1
        `arn:${Aws.PARTITION}:logs:${EDGE_REGION}:${fnStack.account}:log-group:/aws/lambda/${fn.functionName}:*`,
      ],
    })],
  });
  Tags.of(fn).add(FUNCTION_TAG, tagValue);
  Tags.of(role).add(FUNCTION_TAG, tagValue);
  fn.applyRemovalPolicy(settings.removalPolicy);
  role.applyRemovalPolicy(settings.removalPolicy);

  const location: FunctionLocation = inOwnStack
    ? { FunctionName: fn.functionName }
    : { FunctionStackName: fnStack.stackName, FunctionLogicalId: fnStack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction) };
  const fingerprint = renderingFingerprint([fn.node.defaultChild as lambda.CfnFunction, role.node.defaultChild as iam.CfnRole]);
  return { function: fn, role, logsPolicy, inOwnStack, location, tagValue, fingerprint };
}

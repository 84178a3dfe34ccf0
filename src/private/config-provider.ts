/**
 * The config injector: one Lambda function per stack, shared by every CognitoEdgeAuth in it,
 * behind the `Custom::CognitoEdgeAuthConfig` and `Custom::CognitoEdgeAuthCallbackUrls` resources
 * (handler: lambda-src/config-injector, bundled to assets/config-injector).
 *
 * Its construct id (`CognitoEdgeAuthProvider`, directly under the stack) and the ids inside it
 * are public contract: changing them replaces users' resources.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { assetDir } from './asset-paths';

/** Region where Lambda@Edge functions live. */
const EDGE_REGION = 'us-east-1';

/** The edge function: by ARN in the same stack, else by its tag, found through its stack. */
export type EdgeFunctionTarget =
  | { readonly functionArn: string }
  | { readonly tagKey: string; readonly tagValue: string; readonly stackName: string };

/** What one CognitoEdgeAuth lets the provider touch. */
export interface ConfigTargets {
  /** The edge function, in us-east-1 (its versions too). */
  readonly edgeFunction: EdgeFunctionTarget;
  /** The edge bundle in the asset bucket. */
  readonly bundleBucket: string;
  readonly bundleKey: string;
  /** The state-signing secret. */
  readonly stateSecretArn: string;
  /** The user pool whose client is read (and, with `registerCallbackUrls`, updated). */
  readonly userPoolArn: string;
  readonly registerCallbackUrls: boolean;
}

export class ConfigProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(stack: Stack): ConfigProvider {
    const existing = stack.node.tryFindChild(ConfigProvider.ID);
    return existing instanceof ConfigProvider ? existing : new ConfigProvider(stack, ConfigProvider.ID);
  }

  /** Public contract. */
  private static readonly ID = 'CognitoEdgeAuthProvider';

  public readonly function: lambda.Function;
  public readonly role: iam.Role;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-cognito-edge-auth config injector: writes config.json into the edge function and registers callback URLs',
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          })],
        }),
      },
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'cdk-cognito-edge-auth: deploy-time config injection and callback URL registration',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir('config-injector')),
      role: this.role,
      logGroup,
      memorySize: 512,
      timeout: Duration.minutes(15),
    });
  }

  /** Allow the provider to configure one edge function: exactly these resources, nothing more. */
  public allow(targets: ConfigTargets): void {
    const lambdaActions = ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion'];
    const target = targets.edgeFunction;
    if ('functionArn' in target) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: lambdaActions,
        resources: [target.functionArn, `${target.functionArn}:*`],
      }));
    } else {
      // The function's name is chosen by CloudFormation in the us-east-1 support stack: read it
      // from that stack, and touch only the function that carries this construct's tag.
      const stack = Stack.of(this);
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStackResource'],
        resources: [`arn:${Aws.PARTITION}:cloudformation:${EDGE_REGION}:${stack.account}:stack/${target.stackName}/*`],
      }));
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: lambdaActions,
        resources: [`arn:${Aws.PARTITION}:lambda:${EDGE_REGION}:${stack.account}:function:*`],
        conditions: { StringEquals: { [`aws:ResourceTag/${target.tagKey}`]: target.tagValue } },
      }));
    }
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${targets.bundleBucket}/${targets.bundleKey}`],
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [targets.stateSecretArn],
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: targets.registerCallbackUrls
        ? ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient']
        : ['cognito-idp:DescribeUserPoolClient'],
      resources: [targets.userPoolArn],
    }));
  }
}

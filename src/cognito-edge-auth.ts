import { CustomResource, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AddDistributionOptions, CognitoEdgeAuthProps, EdgeMetricOptions } from './cognito-edge-auth-props';
import { addBehaviorWarnings } from './private/behavior-warnings';
import { DistributionBehaviors } from './private/behaviors';
import { serializeRegistrations, urlsListedOnClient } from './private/callback-registration';
import { ConfigProvider } from './private/config-provider';
import { checkDistributionStack, ServedDomains, validateDomainNames } from './private/distributions';
import { createEdgeBundle, createStateSecret, edgeConfigOf } from './private/edge-config';
import { createEdgeFunction, EDGE_REGION, FUNCTION_TAG, requireExplicitEnvironment } from './private/edge-function';
import { nameErrorsAfter, ValidationError } from './private/errors';
import { claimDistribution, cookieCollisions, registerInstance } from './private/instances';
import { acknowledgeConstructFindings } from './private/nag';
import { checkReplicaRegion, cloudFrontMetric, edgeFunctionName, edgeLogRetention, replicaErrorsMetric, validateEdgeLogProps } from './private/observability';
import { resolveSessionSettings, SessionMode, withSessionDefaults } from './private/session-mode';
import { readAliases, resolveSettings, validateBehaviors, validateCookieDomainAgainstAliases } from './private/settings';
import { signedOutPathFor } from './private/signed-out-path';
import { authDomainOf, fingerprintOf, validateClient } from './private/user-pool-client';
import { userPoolArn } from './private/user-pool-region';

export * from './cognito-edge-auth-props';

/** Public contract: changing these replaces users' resources. */
const CONFIG_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthConfig';
const CALLBACK_URLS_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthCallbackUrls';

/**
 * Cognito hosted-UI login in front of a CloudFront distribution, checked by a Lambda@Edge
 * viewer-request function.
 *
 * Creates the function (in us-east-1, in a support stack when the stack is elsewhere) and its
 * role; at deploy time writes the configuration into the function's code and publishes a version;
 * attaches that version to the distribution's behaviors; and registers the callback and sign-out
 * URLs on the user pool client.
 */
export class CognitoEdgeAuth extends Construct {
  /**
   * The viewer-request function, in us-east-1. When the stack is in another region, the function
   * is in a support stack: do not reference it from stacks in other regions.
   */
  public readonly edgeFunction: lambda.IFunction;

  /** The edge function's role (same stack as the function). */
  public readonly role: iam.IRole;

  /** The published version that carries `config.json`, attached to the distribution. */
  public readonly functionVersion: lambda.IVersion;

  /**
   * The viewer-request function version as a `cloudfront.EdgeLambda`, for behaviors you attach it
   * to yourself (another distribution's, see {@link addDistribution}).
   */
  public readonly edgeLambda: cloudfront.EdgeLambda;

  /** Name of the edge function (in us-east-1); its replicas log to `/aws/lambda/us-east-1.<name>`. */
  public readonly functionName: string;

  /** The Secrets Manager secret whose value signs the OAuth state (copied into the function at deploy time). */
  public readonly stateSecret: secretsmanager.ISecret;

  /**
   * Session mode: the CloudFront Function that checks the session cookie on the protected behaviors.
   * Undefined with `ViewerCheck.LAMBDA_EDGE`.
   */
  public readonly viewerFunction?: cloudfront.IFunction;

  /**
   * Session mode: the CloudFront KeyValueStore that holds the session keys (written at deploy
   * time, read by {@link viewerFunction}). Undefined with `ViewerCheck.LAMBDA_EDGE`.
   */
  public readonly sessionKeyStore?: cloudfront.IKeyValueStore;

  private readonly distributionId: string;
  private readonly callbackPath: string;
  private readonly signOutRedirectPath: string;
  private readonly registerUrls: boolean;
  private readonly served = new ServedDomains();

  constructor(scope: Construct, id: string, props: CognitoEdgeAuthProps) {
    super(scope, id);
    nameErrorsAfter(this.node.path);
    const stack = requireExplicitEnvironment(this);

    // ---- the props, checked, with defaults (private/settings.ts) ----
    const settings = resolveSettings(this, withSessionDefaults(props));
    const sessionSettings = resolveSessionSettings(props, settings);
    const behaviors = new DistributionBehaviors(props.distribution);
    const aliases = readAliases(behaviors.aliases);
    validateCookieDomainAgainstAliases(this, settings.cookieDomain, aliases);
    registerInstance(this, props.cookieSettings?.namePrefix, settings.cookieDomain);
    claimDistribution(this, props.distribution, aliases);
    this.node.addValidation({ validate: () => cookieCollisions(this) });
    this.callbackPath = settings.callbackPath;
    this.distributionId = props.distribution.distributionId;
    // where sign-out lands: the given page, else the signed-out page the edge function serves
    this.signOutRedirectPath = settings.signOutRedirectPath ?? signedOutPathFor(settings.signOutPath, settings.callbackPath);
    this.registerUrls = settings.registerCallbackUrls;
    checkDistributionStack(this, props.distribution, 'distribution', this.registerUrls);

    // ---- the edge function and its role, in us-east-1 (private/edge-function.ts) ----
    const edge = createEdgeFunction(this, settings, { edgeStack: props.edgeStack, edgeStackId: props.edgeStackId });
    this.edgeFunction = edge.function;
    this.role = edge.role;
    validateEdgeLogProps(props.edgeLogRetention, props.edgeLogRegions);

    // ---- deploy-time configuration, in this stack (private/config-provider.ts, private/edge-config.ts) ----
    const provider = ConfigProvider.of(stack);
    const bundle = createEdgeBundle(this, sessionSettings !== undefined);
    const stateSecret = createStateSecret(this);
    this.stateSecret = stateSecret;
    provider.allow({
      edgeFunction: edge.inOwnStack
        ? { functionArn: edge.function.functionArn }
        : { tagKey: FUNCTION_TAG, tagValue: edge.tagValue, stackName: Stack.of(edge.function).stackName },
      bundleBucket: bundle.s3BucketName,
      bundleKey: bundle.s3ObjectKey,
      stateSecretArn: stateSecret.secretArn,
      userPoolArn: userPoolArn(this, props.userPool),
      registerCallbackUrls: settings.registerCallbackUrls,
    });
    acknowledgeConstructFindings(edge, provider);
    const edgeConfig = edgeConfigOf(props, settings, () => this.served.configAliases(aliases));
    // ---- session mode: KeyValueStore, viewer function, auth behavior (private/session-mode.ts) ----
    const session = sessionSettings && new SessionMode(this, sessionSettings, {
      cookieNamePrefix: props.cookieSettings?.namePrefix,
      signOutPath: settings.signOutPath,
      requiredGroups: props.requiredGroups,
      pathRules: edgeConfig.pathRules,
      publicPaths: props.publicPaths,
    });
    session?.allowInjector(provider.role);
    this.viewerFunction = session?.viewerFunction;
    this.sessionKeyStore = session?.keyValueStore;

    const clientFingerprint = fingerprintOf(props.userPoolClient);
    const config = new CustomResource(this, 'EdgeConfig', { // id: public contract
      serviceToken: provider.function.functionArn,
      resourceType: CONFIG_RESOURCE_TYPE, // public contract
      properties: {
        ...edge.location,
        FunctionRegion: EDGE_REGION,
        FunctionFingerprint: edge.fingerprint,
        BundleS3Bucket: bundle.s3BucketName,
        BundleS3Key: bundle.s3ObjectKey,
        UserPoolId: props.userPool.userPoolId,
        ClientId: props.userPoolClient.userPoolClientId,
        AuthDomain: authDomainOf(this, props.userPoolDomain, props.userPool),
        StateSecretArn: stateSecret.secretArn,
        EdgeConfig: stack.toJsonString(edgeConfig),
        ClientFingerprint: clientFingerprint,
        ...session?.configProperties(),
      },
    });
    config.node.addDependency(provider.role);
    // In us-east-1 the config resource references the function; in another region the stack
    // depends on the support stack.
    const versionArn = config.getAttString('VersionArn');
    this.functionVersion = lambda.Version.fromVersionArn(this, 'FunctionVersion', versionArn);
    // In another region the function is in the support stack: in this stack its name is read from
    // the version ARN (arn:aws:lambda:us-east-1:<account>:function:<name>:<version>); other stacks
    // get the function's own Ref, which stays the same when a new version is published
    // (private/observability.ts).
    this.functionName = edgeFunctionName(this, edge.function, Fn.select(6, Fn.split(':', versionArn)));
    if (props.edgeLogRetention !== undefined) edgeLogRetention(this, this.functionName, props.edgeLogRetention, props.edgeLogRegions);
    this.edgeLambda = { functionVersion: this.functionVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, includeBody: false };

    // ---- the viewer-request association (private/behaviors.ts) ----
    const isProtected = (pattern: string) => settings.protectedBehaviors === undefined || settings.protectedBehaviors.has(pattern);
    if (session) session.attach(behaviors, versionArn, isProtected);
    else behaviors.associate(versionArn, isProtected);
    this.node.addValidation({
      validate: () => session
        ? session.validate(this, behaviors.resolve(), settings, isProtected)
        : validateBehaviors(this, behaviors.resolve(), settings, isProtected),
    });
    addBehaviorWarnings(this, props.distribution, behaviors, settings, isProtected, sessionSettings?.authPathPrefix);

    // ---- callback and sign-out URLs on the user pool client (private/callback-registration.ts) ----
    this.served.add(props.distribution, aliases, false);
    if (settings.registerCallbackUrls) {
      const urls = new CustomResource(this, 'CallbackUrls', { // id: public contract
        serviceToken: provider.function.functionArn,
        resourceType: CALLBACK_URLS_RESOURCE_TYPE, // public contract
        properties: {
          UserPoolId: props.userPool.userPoolId,
          ClientId: props.userPoolClient.userPoolClientId,
          CallbackUrls: Lazy.list({ produce: () => this.callbackUrls }),
          LogoutUrls: Lazy.list({ produce: () => this.logoutUrls }),
          ...urlsListedOnClient(props.userPoolClient),
          ClientFingerprint: clientFingerprint,
        },
      });
      urls.node.addDependency(provider.role);
      serializeRegistrations(urls, props.userPool, props.userPoolClient);
    }

    validateClient(this, props.userPoolClient, settings.scopes, props.identityProvider);
    nameErrorsAfter(undefined);
  }

  /**
   * The callback URLs: `https://<domain><callbackPath>` for the distribution's own domain name
   * (a token: `xxx.cloudfront.net`), then each alternate domain name, then those of the
   * distributions added with {@link addDistribution}.
   *
   * Do not put these on the `oAuth.callbackUrls` of a client defined in the same app: the
   * distribution's own name is a token of the distribution, which depends on the edge function,
   * which reads the client — a dependency cycle. The construct registers them at deploy time
   * (`registerCallbackUrls`); if you register URLs on the client yourself, use
   * {@link aliasCallbackUrls}.
   */
  public get callbackUrls(): string[] {
    return this.served.urls(this.callbackPath);
  }

  /**
   * The sign-out URLs: `https://<domain><signOutRedirectPath>` for the same domains as
   * {@link callbackUrls} (the first is a token: see there).
   */
  public get logoutUrls(): string[] {
    return this.served.urls(this.signOutRedirectPath);
  }

  /**
   * The callback URLs of the alternate domain names only (literal strings, no token of the
   * distribution): safe for the `oAuth.callbackUrls` of a client defined in the same app.
   */
  public get aliasCallbackUrls(): string[] {
    return this.served.aliasUrls(this.callbackPath);
  }

  /** The sign-out URLs of the alternate domain names only (see {@link aliasCallbackUrls}). */
  public get aliasLogoutUrls(): string[] {
    return this.served.aliasUrls(this.signOutRedirectPath);
  }

  /**
   * Serve another distribution with this construct's function: its domain names become allowed
   * request hosts and, with `registerCallbackUrls`, their callback and sign-out URLs are added to
   * the app client. Attach {@link edgeLambda} to that distribution's behaviors yourself.
   *
   * The distribution must be in this construct's stack or in a `NestedStack` of it when
   * `registerCallbackUrls` is on: from another stack, the two stacks would reference each other.
   */
  public addDistribution(distribution: cloudfront.IDistribution, options: AddDistributionOptions = {}): void {
    nameErrorsAfter(this.node.path);
    if (this.viewerFunction !== undefined) {
      throw new ValidationError('addDistribution is not available with viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION: in session mode the edge function answers only ' +
        'the auth routes of this distribution; protect the other distribution with a CognitoEdgeAuth of its own');
    }
    const names = options.domainNames ?? [];
    validateDomainNames(names);
    claimDistribution(this, distribution, names);
    checkDistributionStack(this, distribution, 'addDistribution', this.registerUrls);
    this.served.add(distribution, names, true);
    nameErrorsAfter(undefined);
  }

  /**
   * CloudFront's count of Lambda@Edge execution errors (the function threw, timed out or
   * answered badly) for the distribution, in all regions: namespace `AWS/CloudFront`, metric
   * `LambdaExecutionError`, `DistributionId`, `Region=Global`. CloudFront publishes it in
   * us-east-1: create alarms on it in a us-east-1 stack.
   *
   * @default - sum over 5 minutes
   */
  public metricLambdaExecutionErrors(options: EdgeMetricOptions = {}): cloudwatch.Metric {
    return cloudFrontMetric(this.distributionId, 'LambdaExecutionError', options);
  }

  /**
   * CloudFront's count of invalid responses of the edge function for the distribution
   * (`AWS/CloudFront` `LambdaValidationError`, us-east-1).
   *
   * @default - sum over 5 minutes
   */
  public metricLambdaValidationErrors(options: EdgeMetricOptions = {}): cloudwatch.Metric {
    return cloudFrontMetric(this.distributionId, 'LambdaValidationError', options);
  }

  /**
   * The edge function's errors in one region, `replicaRegion` (`AWS/Lambda` `Errors` of the
   * replica `us-east-1.<function name>`, published in the region that served the requests);
   * `edgeFunction.metricErrors()` sees us-east-1 only.
   *
   * An alarm on it must be in a stack in `replicaRegion` (CloudWatch alarms are regional; CDK
   * refuses any other). CloudFormation names the function, so a stack in another region than the
   * function's gets the name through aws-cdk-lib's cross-region references (set
   * `crossRegionReferences: true` on that stack); the value it reads is the function's Ref, which a
   * new version does not change. A dashboard shows metrics of every region (from a stack in
   * another region than the function's, the name crosses the same way).
   *
   * @param replicaRegion a region with a CloudFront regional edge cache, e.g. `eu-west-1`
   * @default - sum over 5 minutes
   */
  public metricFunctionErrors(replicaRegion: string, options: EdgeMetricOptions = {}): cloudwatch.Metric {
    checkReplicaRegion(replicaRegion);
    return replicaErrorsMetric(this.functionName, replicaRegion, options);
  }
}

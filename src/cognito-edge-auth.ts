import { CustomResource, Duration, Fn, Lazy, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CookieSettings } from './cookie-settings';
import { resolveGroupsClaim, resolvePublicPaths } from './private/access';
import { assetDir } from './private/asset-paths';
import { addBehaviorWarnings } from './private/behavior-warnings';
import { DistributionBehaviors } from './private/behaviors';
import { serializeRegistrations, urlsListedOnClient } from './private/callback-registration';
import { ConfigProvider } from './private/config-provider';
import { createEdgeFunction, EDGE_REGION, FUNCTION_TAG } from './private/edge-function';
import { nameErrorsAfter, ValidationError } from './private/errors';
import { claimDistribution, cookieCollisions, registerInstance } from './private/instances';
import { acknowledge, NAG_REASONS } from './private/nag';
import { edgeLogRetention } from './private/observability';
import { resolveSessionSettings, SessionMode, withSessionDefaults } from './private/session-mode';
import { dropUndefined, readAliases, resolveSettings, validateBehaviors, validateCookieDomainAgainstAliases } from './private/settings';
import { signedOutPathFor } from './private/signed-out-path';
import { authDomainOf, fingerprintOf, validateClient } from './private/user-pool-client';
import { userPoolArn } from './private/user-pool-region';
import { ViewerCheck } from './viewer-check';

/**
 * Level of the JSON-line logs the edge function writes (to CloudWatch Logs in the region that
 * served the request, log group `/aws/lambda/us-east-1.<function name>`).
 */
export enum LogLevel {
  /** Everything, including per-request decisions (never tokens or secrets). */
  DEBUG = 'debug',
  /** Logins, refreshes, sign-outs. */
  INFO = 'info',
  /** Refused requests and upstream problems. */
  WARN = 'warn',
  /** Failures only. */
  ERROR = 'error',
  /** Nothing. */
  NONE = 'none',
}

/**
 * Groups required for requests whose path matches a pattern.
 */
export interface PathAuthorization {
  /**
   * CloudFront-style path pattern: `*` matches any run of characters, `?` exactly one, e.g. `/admin/*`.
   */
  readonly pathPattern: string;

  /**
   * The user must be in at least one of these Cognito groups (any-of). An empty list lets any
   * signed-in user through for matching paths (an exception to the global `requiredGroups`).
   */
  readonly requiredGroups: string[];
}

/**
 * Properties of {@link CognitoEdgeAuth}.
 */
export interface CognitoEdgeAuthProps {
  /**
   * The distribution to protect.
   *
   * A concrete `cloudfront.Distribution` (not `IDistribution`) because the construct edits it:
   * it adds the viewer-request Lambda@Edge association to the distribution's behaviors through
   * its L1 resource, and reads its aliases and behaviors. Wildcard domain names
   * (`*.example.com`) are refused: list each host name of the site.
   */
  readonly distribution: cloudfront.Distribution;

  /**
   * The user pool that signs users in (created in the stack or imported).
   */
  readonly userPool: cognito.IUserPool;

  /**
   * The app client of `userPool` the edge function uses.
   *
   * It must allow the OAuth authorization code grant. A client secret is optional; when the
   * client has one, it is read at deploy time and written into the function's configuration.
   */
  readonly userPoolClient: cognito.IUserPoolClient;

  /**
   * The hosted-UI domain of `userPool`: a Cognito prefix domain or a custom domain.
   *
   * An imported domain (`UserPoolDomain.fromDomainName`) is taken as a custom domain when the
   * name contains a dot (`auth.example.com`), else as a prefix domain in the user pool's region.
   */
  readonly userPoolDomain: cognito.IUserPoolDomain;

  /**
   * Name of a federated identity provider of the user pool (e.g. `EntraID`): logins go straight
   * to it instead of the hosted-UI sign-in page.
   *
   * @default - the hosted UI lets the user choose
   */
  readonly identityProvider?: string;

  /**
   * OAuth scopes to request. `openid` is always added. The client must allow every one of them.
   *
   * @default [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE]
   */
  readonly oauthScopes?: cognito.OAuthScope[];

  /**
   * Path of the OAuth callback, handled by the edge function. Its URL on every domain of the
   * distribution is registered on the client (see `registerCallbackUrls`).
   *
   * An absolute path in canonical form, at most 256 characters: `/`, then letters, digits and
   * `-._~!$&'()+,=:@/` (no `//`, no `.` or `..` segments).
   *
   * @default '/_auth/callback' (`<authPathPrefix>callback` in session mode)
   */
  readonly callbackPath?: string;

  /**
   * Path that signs the user out (revokes the refresh token, clears the cookies, ends the
   * hosted-UI session). The same characters as `callbackPath`.
   *
   * @default '/_auth/signout' (`<authPathPrefix>signout` in session mode)
   */
  readonly signOutPath?: string;

  /**
   * Where the browser lands after the hosted-UI logout: an absolute path on the site (the same
   * characters as `callbackPath`). Its URL on every domain of the distribution is registered as a
   * sign-out URL of the client.
   *
   * Use a page that needs no login (a behavior not in `protectedBehaviors`): on a protected page
   * IdP single sign-on can sign the user straight back in, which synth warns about.
   *
   * @default - the signed-out page the edge function serves beside `signOutPath`
   * (`/_auth/signed-out` with the default paths)
   */
  readonly signOutRedirectPath?: string;

  /**
   * Settings of the session cookies.
   *
   * @default - HttpOnly, Secure, SameSite=Lax, host-only `__Host-` cookies with Path=/
   */
  readonly cookieSettings?: CookieSettings;

  /**
   * The user must be in at least one of these Cognito groups (any-of) to get through.
   * `pathAuthorizations` override this for the paths they match.
   *
   * @default - any signed-in user
   */
  readonly requiredGroups?: string[];

  /**
   * Group requirements per path pattern; the first matching rule wins, a path matching none
   * falls back to `requiredGroups`.
   *
   * @default - no per-path rules
   */
  readonly pathAuthorizations?: PathAuthorization[];

  /**
   * Path patterns of the distribution's behaviors to protect; `'*'` is the default behavior.
   *
   * The behaviors that serve `callbackPath` and `signOutPath` must be among them.
   *
   * @default - all behaviors of the distribution
   */
  readonly protectedBehaviors?: string[];

  /**
   * Log level of the edge function.
   *
   * @default LogLevel.WARN
   */
  readonly logLevel?: LogLevel;

  /**
   * Runtime of the edge function: a Node.js runtime, 20 or later, that Lambda@Edge supports.
   * Node.js 20 is accepted with a warning: it left Lambda's standard support on 30 April 2026,
   * after which Lambda stops creating, then updating, functions on it.
   *
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * What happens to the edge function (and its role) when it leaves the stack.
   *
   * CloudFront deletes the function's replicas only hours after the distribution stops using it,
   * and until then the function cannot be deleted: with `DESTROY`, `cdk destroy` usually fails
   * on it. `RETAIN` leaves it behind, to delete later (see the README's teardown notes).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Add the callback and sign-out URLs of every domain of the distribution to the user pool
   * client at deploy time (keeping the URLs already there; removed again on delete).
   *
   * Turn it off when the client's URLs are managed elsewhere; then register
   * {@link CognitoEdgeAuth.callbackUrls} and the sign-out URLs yourself.
   *
   * @default true
   */
  readonly registerCallbackUrls?: boolean;

  /**
   * A us-east-1 stack of your own to hold the edge function and its role, when this stack is in
   * another region (for example one you create with your pipeline's synthesizer settings).
   *
   * It must be in the same account and stage as this stack; this stack is made to depend on it.
   *
   * @default - a support stack `<stack name>-edge-auth-us-east-1` in the same stage, with this
   * stack's account, tags, synthesizer settings, permissions boundary and termination protection
   */
  readonly edgeStack?: Stack;

  /**
   * Id (and stack name) of the us-east-1 support stack the construct creates when this stack is
   * in another region. Several constructs (and stacks) may share one by giving the same id.
   *
   * @default `<stack name>-edge-auth-us-east-1`
   */
  readonly edgeStackId?: string;

  /**
   * Forward the library's own cookies (tokens) to the origin.
   *
   * @default false - they are removed from the request the origin sees
   */
  readonly forwardAuthCookies?: boolean;

  /**
   * Lifetime of the refresh-token cookie; should equal the client's refresh-token validity.
   * Whole seconds, between 1 hour and 3650 days.
   *
   * @default - read from the client at deploy time, else 30 days
   */
  readonly refreshTokenValidity?: Duration;

  /**
   * Path patterns anyone may request without signing in, e.g. `/robots.txt`, `/.well-known/*`,
   * `/health`.
   *
   * CloudFront-style patterns (`*` any run of characters, `?` exactly one), matched against the
   * same canonical path as `pathAuthorizations`, before the session is looked at: a request for a
   * public path is passed to the origin as it is (the library's cookies removed, no identity
   * header), signed in or not. The callback and sign-out paths keep their meaning.
   *
   * @default - every path needs a session
   */
  readonly publicPaths?: string[];

  /**
   * The id-token claim that carries the user's groups, for `requiredGroups` and
   * `pathAuthorizations`.
   *
   * Users federated from an identity provider such as Entra ID are not in Cognito groups: their
   * groups or app roles reach the id token through an attribute mapping (e.g. the IdP's `roles`
   * claim mapped to `custom:roles`) or a pre-token-generation trigger. The claim may be a JSON
   * array, a string in Cognito's bracketed list form (`[a, b]`), a JSON array in a string, or a
   * single value.
   *
   * @default 'cognito:groups'
   */
  readonly groupsClaim?: string;

  /**
   * Retention of the edge function's logs in every region its replicas run in.
   *
   * Replicas log to `/aws/lambda/us-east-1.<function name>` in the region that served the request,
   * in log groups Lambda creates on first use and that never expire. With this set, the construct
   * creates those log groups in advance, in each of `edgeLogRegions`, with this retention (and the
   * us-east-1 group of test invocations), through aws-cdk-lib's `LogRetention`; they are kept when
   * the stack is deleted.
   *
   * @default - the log groups are created by Lambda and never expire
   */
  readonly edgeLogRetention?: logs.RetentionDays;

  /**
   * The regions `edgeLogRetention` reaches.
   *
   * @default - every region with a CloudFront regional edge cache: us-east-1, us-east-2, us-west-1, us-west-2, ap-south-1, ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, eu-central-1, eu-west-1, eu-west-2, sa-east-1
   */
  readonly edgeLogRegions?: string[];

  /**
   * Which function checks signed-in requests on the protected behaviors.
   *
   * With `ViewerCheck.CLOUDFRONT_FUNCTION` ("session mode") a CloudFront Function checks a small
   * signed session cookie on every protected behavior, and the Lambda@Edge function runs only on an
   * auth behavior `<authPathPrefix>*` that the construct adds before the distribution's other
   * behaviors (login, callback, refresh, sign-out). The construct also creates a CloudFront
   * KeyValueStore for the session key, written at deploy time. Every protected behavior must then
   * key its cache on the identity header `x-cognito-edge-auth-user` or disable caching
   * (`CachePolicy.CACHING_DISABLED`), `forwardAuthCookies` is not available, and
   * `cookieSettings.domain` is refused.
   *
   * @default ViewerCheck.LAMBDA_EDGE
   */
  readonly viewerCheck?: ViewerCheck;

  /**
   * Session mode: the path prefix of the auth routes (login, callback, refresh, sign-out), served
   * by the Lambda@Edge function in a behavior `<authPathPrefix>*`. `callbackPath` and `signOutPath`
   * must lie under it. One or more path segments, each followed by `/` (the same characters as
   * `callbackPath`, at most 64 characters). Only with `viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION`.
   *
   * @default '/_auth/'
   */
  readonly authPathPrefix?: string;

  /**
   * Session mode: the generation of the session signing key. Raising it (by one) rotates the key
   * over two deploys: the first writes the new key (accepted, not yet used), the next one signs
   * with it; the old key is deleted once no session can hold it. Only with
   * `viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION`; a positive whole number.
   *
   * @default 1
   */
  readonly sessionKeyGeneration?: number;
}

/**
 * Options of the construct's metrics. (The construct's own struct rather than aws-cdk-lib's
 * `MetricOptions`, whose fields grow with aws-cdk-lib versions: Python users on an older
 * aws-cdk-lib would otherwise get keyword arguments their `MetricOptions` does not have.
 * `metric.with({...})` sets any other option.)
 */
export interface EdgeMetricOptions {
  /**
   * The period over which the statistic is applied.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * The statistic, e.g. `Sum`, `Average`, `p99`.
   *
   * @default 'Sum'
   */
  readonly statistic?: string;

  /**
   * Label of the metric in graphs and alarms.
   *
   * @default - no label
   */
  readonly label?: string;
}

/**
 * Options of {@link CognitoEdgeAuth.addDistribution}.
 */
export interface AddDistributionOptions {
  /**
   * The distribution's alternate domain names (CNAMEs): accepted as request hosts by the edge
   * function, and registered with their callback and sign-out URLs. Literal names, known at synth.
   *
   * @default - only the distribution's own `*.cloudfront.net` name
   */
  readonly domainNames?: string[];
}

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
  /** Domain names served (the distribution's own name first, maybe a token), and extra allowed hosts. */
  private readonly domains: string[] = [];
  private readonly extraAliases: string[] = [];

  constructor(scope: Construct, id: string, props: CognitoEdgeAuthProps) {
    super(scope, id);
    nameErrorsAfter(this.node.path);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw new ValidationError('the stack needs an explicit account and region, because the edge function is created in us-east-1 ' +
        'and named at synth time: set env on the stack, with an account and a region (e.g. account 123456789012, region eu-west-1)');
    }

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
    this.checkStackOf(props.distribution, 'distribution');

    // ---- the edge function and its role, in us-east-1 (private/edge-function.ts) ----
    const edge = createEdgeFunction(this, settings, { edgeStack: props.edgeStack, edgeStackId: props.edgeStackId });
    this.edgeFunction = edge.function;
    this.role = edge.role;
    // cdk-nag reports the function's name (chosen by CloudFormation) as its logical id: `<EdgeFunctionXXXX>`.
    const fnStack = Stack.of(edge.function);
    const fnRef = `<${fnStack.getLogicalId(edge.function.node.defaultChild as lambda.CfnFunction)}>`;
    acknowledge(edge.logsPolicy, [
      { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:logs:*:${fnStack.account}:log-group:/aws/lambda/${EDGE_REGION}.${fnRef}:*`, reason: NAG_REASONS.edgeLogs },
      { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:logs:${EDGE_REGION}:${fnStack.account}:log-group:/aws/lambda/${fnRef}:*`, reason: NAG_REASONS.edgeTestLogs },
    ]);
    acknowledge(edge.function, [{ rule: 'AwsSolutions-L1', reason: NAG_REASONS.runtime }]);
    if (props.edgeLogRetention === undefined && props.edgeLogRegions !== undefined) {
      throw new ValidationError('edgeLogRegions has no effect without edgeLogRetention; set edgeLogRetention (e.g. RetentionDays.ONE_MONTH) or remove edgeLogRegions');
    }

    // ---- deploy-time configuration, in this stack (private/config-provider.ts) ----
    const provider = ConfigProvider.of(stack);
    const bundle = new s3assets.Asset(this, 'EdgeBundle', {
      path: assetDir('edge-auth'),
      exclude: ['*', '!index.js'], // config.json is added at deploy time
    });
    const stateSecret = new secretsmanager.Secret(this, 'StateSecret', { // id: public contract
      description: `Key that signs the OAuth state of ${this.node.path} (cdk-cognito-edge-auth)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    this.stateSecret = stateSecret;
    acknowledge(stateSecret, [{ rule: 'AwsSolutions-SMG4', reason: NAG_REASONS.stateSecret }]);
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
    const providerPolicy = provider.role.node.tryFindChild('DefaultPolicy');
    if (providerPolicy) {
      acknowledge(providerPolicy, edge.inOwnStack
        ? [{ rule: 'AwsSolutions-IAM5', finding: `Resource::${fnRef.slice(0, -1)}.Arn>:*`, reason: NAG_REASONS.versions }]
        : [
          { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:lambda:${EDGE_REGION}:${stack.account}:function:*`, reason: NAG_REASONS.functionByTag },
          { rule: 'AwsSolutions-IAM5', finding: `Resource::arn:<AWS::Partition>:cloudformation:${EDGE_REGION}:${stack.account}:stack/${fnStack.stackName}/*`, reason: NAG_REASONS.supportStack },
        ]);
    }
    acknowledge(provider.function, [{ rule: 'AwsSolutions-L1', reason: NAG_REASONS.runtime }]);

    // What goes into config.json besides the Cognito ids and the deploy-time values (lambda-src/shared/edge-config.ts).
    const edgeConfig = dropUndefined({
      identityProvider: props.identityProvider,
      callbackPath: settings.callbackPath,
      signOutPath: settings.signOutPath,
      signOutLandingPath: settings.signOutRedirectPath,
      scopes: settings.scopes,
      requiredGroups: props.requiredGroups,
      pathRules: props.pathAuthorizations?.map((r) => ({ pathPattern: r.pathPattern, requiredGroups: r.requiredGroups })),
      // lazy: addDistribution may add hosts later
      aliases: Lazy.any({ produce: () => aliases.length + this.extraAliases.length > 0 ? [...aliases, ...this.extraAliases] : undefined }),
      cookies: settings.cookies,
      forwardAuthCookies: props.forwardAuthCookies ?? false,
      logLevel: props.logLevel ?? LogLevel.WARN,
      refreshTokenValiditySeconds: props.refreshTokenValidity?.toSeconds(),
      publicPaths: resolvePublicPaths(props.publicPaths),
      groupsClaim: resolveGroupsClaim(props.groupsClaim),
    });
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
    // In another region the function is in the support stack: its name is read from the version ARN
    // (arn:aws:lambda:us-east-1:<account>:function:<name>:<version>), a value of this stack.
    this.functionName = edge.inOwnStack ? edge.function.functionName : Fn.select(6, Fn.split(':', versionArn));
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

    // ---- callback and sign-out URLs on the user pool client ----
    this.domains.push(props.distribution.distributionDomainName, ...aliases);
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
    return this.domains.map((d) => `https://${d}${this.callbackPath}`);
  }

  /**
   * The sign-out URLs: `https://<domain><signOutRedirectPath>` for the same domains as
   * {@link callbackUrls} (the first is a token: see there).
   */
  public get logoutUrls(): string[] {
    return this.domains.map((d) => `https://${d}${this.signOutRedirectPath}`);
  }

  /**
   * The callback URLs of the alternate domain names only (literal strings, no token of the
   * distribution): safe for the `oAuth.callbackUrls` of a client defined in the same app.
   */
  public get aliasCallbackUrls(): string[] {
    return this.domains.slice(1).filter((d) => !Token.isUnresolved(d)).map((d) => `https://${d}${this.callbackPath}`);
  }

  /** The sign-out URLs of the alternate domain names only (see {@link aliasCallbackUrls}). */
  public get aliasLogoutUrls(): string[] {
    return this.domains.slice(1).filter((d) => !Token.isUnresolved(d)).map((d) => `https://${d}${this.signOutRedirectPath}`);
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
    for (const name of names) {
      if (Token.isUnresolved(name) || !/^(?=.{1,253}$)[A-Za-z0-9*](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(name)) {
        throw new ValidationError(`addDistribution: domainNames must be literal DNS names such as 'app.example.com' (known at synth), got ${JSON.stringify(name)}`);
      }
    }
    claimDistribution(this, distribution, names);
    this.checkStackOf(distribution, 'addDistribution');
    this.domains.push(distribution.distributionDomainName, ...names);
    this.extraAliases.push(...names);
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
    return this.cloudFrontMetric('LambdaExecutionError', options);
  }

  /**
   * CloudFront's count of invalid responses of the edge function for the distribution
   * (`AWS/CloudFront` `LambdaValidationError`, us-east-1).
   *
   * @default - sum over 5 minutes
   */
  public metricLambdaValidationErrors(options: EdgeMetricOptions = {}): cloudwatch.Metric {
    return this.cloudFrontMetric('LambdaValidationError', options);
  }

  /**
   * The edge function's errors in one region, `replicaRegion` (`AWS/Lambda` `Errors` of the
   * replica `us-east-1.<function name>`, published in the region that served the requests). Alarms on it
   * belong in a stack in that region; `edgeFunction.metricErrors()` sees us-east-1 only.
   *
   * @default - sum over 5 minutes
   */
  public metricFunctionErrors(replicaRegion: string, options: EdgeMetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      statistic: options.statistic ?? 'Sum',
      period: options.period ?? Duration.minutes(5),
      label: options.label,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensionsMap: { FunctionName: `${EDGE_REGION}.${this.functionName}` },
      region: replicaRegion,
    });
  }

  private cloudFrontMetric(metricName: string, options: EdgeMetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      statistic: options.statistic ?? 'Sum',
      period: options.period ?? Duration.minutes(5),
      label: options.label,
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.distributionId, Region: 'Global' },
      region: EDGE_REGION,
    });
  }

  /**
   * With callback registration on, a distribution in another (top-level) stack would make the two
   * stacks reference each other (the distribution uses the version from this stack; the
   * registration reads the distribution's domain name): say so, instead of CDK's cyclic-reference error.
   */
  private checkStackOf(distribution: cloudfront.IDistribution, prop: string): void {
    if (!this.registerUrls) return;
    const own = Stack.of(this);
    let s: Stack | undefined = Stack.of(distribution);
    while (s !== undefined && s !== own) s = NestedStack.isNestedStack(s) ? s.nestedStackParent : undefined;
    if (s === own) return;
    throw new ValidationError(`${prop}: the distribution ${distribution.node.path} is in stack ${Stack.of(distribution).stackName}, the CognitoEdgeAuth in ${own.stackName}; ` +
      'with registerCallbackUrls the stacks would reference each other (the distribution uses the function version from this stack, the callback ' +
      'registration needs the distribution\'s domain name), which CloudFormation cannot deploy. Create the CognitoEdgeAuth in the distribution\'s stack, ' +
      'or the distribution in this stack or a NestedStack of it, or set registerCallbackUrls: false and add callbackUrls and logoutUrls to the app client yourself');
  }
}

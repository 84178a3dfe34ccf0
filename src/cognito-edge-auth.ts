import * as crypto from 'node:crypto';
import {
  Annotations, Aws, CustomResource, Duration, Lazy, Names, RemovalPolicy, Stack, Stage, Token,
} from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CookieSettings, SameSite } from './cookie-settings';
import { assetDir } from './private/asset-paths';
import { addBehaviorWarnings } from './private/behavior-warnings';
import { DEFAULT_BEHAVIOR, DistributionBehaviors, findConflicts, ResolvedBehavior } from './private/behaviors';
import { clientRendering } from './private/client-rendering';
import { signedOutPathFor } from './private/signed-out-path';
import {
  cloudFrontPatternMatches, domainMatches, normalizePattern, PropError, requireConcrete, validateCookieDomain,
  validateCookieNamePrefix, validateCookiePath, validateGroups, validateIdentityProvider, validatePath, validatePathPattern,
} from './private/validate';

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
   * it adds the viewer-request Lambda@Edge association to the distribution's behaviours through
   * its L1 resource, and reads its aliases and behaviours.
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
   * @default '/_auth/callback'
   */
  readonly callbackPath?: string;

  /**
   * Path that signs the user out (revokes the refresh token, clears the cookies, ends the
   * hosted-UI session).
   *
   * @default '/_auth/signout'
   */
  readonly signOutPath?: string;

  /**
   * Where the browser lands after the hosted-UI logout: an absolute path on the site. Its URL on
   * every domain of the distribution is registered as a sign-out URL of the client.
   *
   * Use a page that needs no login (a behaviour not in `protectedBehaviors`): on a protected page
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
   * Path patterns of the distribution's behaviours to protect; `'*'` is the default behaviour.
   *
   * The behaviours that serve `callbackPath` and `signOutPath` must be among them.
   *
   * @default - all behaviours of the distribution
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
}

/** Region where Lambda@Edge functions live. */
const EDGE_REGION = 'us-east-1';
/** Public contract: changing these replaces users' resources. */
const CONFIG_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthConfig';
const CALLBACK_URLS_RESOURCE_TYPE = 'Custom::CognitoEdgeAuthCallbackUrls';
const PROVIDER_ID = 'CognitoEdgeAuthProvider';
const DEFAULT_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];
/** Cognito's longest id/access token validity. */
const MAX_TOKEN_SECONDS = 86_400;
/**
 * The function's code until the config injector writes the real bundle with its config.json.
 * Never attached to CloudFront ($LATEST is not associable).
 */
const PLACEHOLDER_CODE = "exports.handler = async () => { throw new Error('cdk-cognito-edge-auth: not configured yet'); };";

/**
 * Cognito hosted-UI login in front of a CloudFront distribution, checked by a Lambda@Edge
 * viewer-request function.
 *
 * Creates the function (in us-east-1, in a support stack when the stack is elsewhere) and its
 * role; at deploy time writes the configuration into the function's code and publishes a version;
 * attaches that version to the distribution's behaviours; and registers the callback and sign-out
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
   * The callback URLs: `https://<domain><callbackPath>` for the distribution's domain name and
   * each alias (the first may be a token).
   */
  public readonly callbackUrls: string[];

  constructor(scope: Construct, id: string, props: CognitoEdgeAuthProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw new PropError('the stack needs an explicit account and region, because the edge function is created in us-east-1 ' +
        'and named at synth time: set env on the stack, with an account and a region (e.g. account 123456789012, region eu-west-1)');
    }

    const settings = validateProps(this, props);
    const behaviors = new DistributionBehaviors(props.distribution);
    const aliases = readAliases(behaviors.aliases);
    validateCookieDomainAgainstAliases(this, settings.cookieDomain, aliases);

    // ---- the edge function and its role, in us-east-1 ----
    const functionName = edgeFunctionName(this);
    const fnScope = stack.region === EDGE_REGION ? this : supportScope(this);
    const role = new iam.Role(fnScope, 'EdgeRole', { // id: public contract
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
    const edgeFunction = new lambda.Function(fnScope, 'EdgeFunction', { // id: public contract
      functionName,
      description: 'cdk-cognito-edge-auth viewer-request function (code and config.json written at deploy time)',
      runtime: settings.runtime,
      handler: 'index.handler',
      code: lambda.Code.fromInline(PLACEHOLDER_CODE),
      role,
      memorySize: 128, // viewer-request limit
      timeout: Duration.seconds(5), // viewer-request limit
    });
    edgeFunction.applyRemovalPolicy(settings.removalPolicy);
    role.applyRemovalPolicy(settings.removalPolicy);
    this.edgeFunction = edgeFunction;
    this.role = role;

    // ---- deploy-time configuration (in this stack) ----
    const provider = providerFor(stack);
    const bundle = new s3assets.Asset(this, 'EdgeBundle', {
      path: assetDir('edge-auth'),
      exclude: ['*', '!index.js'], // config.json is added at deploy time
    });
    const stateSecret = new secretsmanager.Secret(this, 'StateSecret', { // id: public contract
      description: `Key that signs the OAuth state of ${functionName} (cdk-cognito-edge-auth)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    const functionArn = `arn:${Aws.PARTITION}:lambda:${EDGE_REGION}:${stack.account}:function:${functionName}`;
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion'],
      resources: [functionArn, `${functionArn}:*`],
    }));
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${bundle.s3BucketName}/${bundle.s3ObjectKey}`],
    }));
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [stateSecret.secretArn],
    }));
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: settings.registerCallbackUrls
        ? ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient']
        : ['cognito-idp:DescribeUserPoolClient'],
      resources: [props.userPool.userPoolArn],
    }));

    const clientFingerprint = fingerprintOf(props.userPoolClient);
    const edgeConfig = dropUndefined({
      identityProvider: props.identityProvider,
      callbackPath: settings.callbackPath,
      signOutPath: settings.signOutPath,
      signOutLandingPath: settings.signOutRedirectPath,
      scopes: settings.scopes,
      requiredGroups: props.requiredGroups,
      pathRules: props.pathAuthorizations?.map((r) => ({ pathPattern: r.pathPattern, requiredGroups: r.requiredGroups })),
      aliases: aliases.length > 0 ? aliases : undefined,
      cookies: settings.cookies,
      forwardAuthCookies: props.forwardAuthCookies ?? false,
      logLevel: props.logLevel ?? LogLevel.WARN,
      refreshTokenValiditySeconds: props.refreshTokenValidity?.toSeconds(),
    });
    const config = new CustomResource(this, 'EdgeConfig', { // id: public contract
      serviceToken: provider.function.functionArn,
      resourceType: CONFIG_RESOURCE_TYPE, // public contract
      properties: {
        FunctionName: functionName,
        FunctionRegion: EDGE_REGION,
        BundleS3Bucket: bundle.s3BucketName,
        BundleS3Key: bundle.s3ObjectKey,
        UserPoolId: props.userPool.userPoolId,
        ClientId: props.userPoolClient.userPoolClientId,
        AuthDomain: authDomainOf(this, props.userPoolDomain, props.userPool),
        StateSecretArn: stateSecret.secretArn,
        EdgeConfig: stack.toJsonString(edgeConfig),
        ClientFingerprint: clientFingerprint,
      },
    });
    config.node.addDependency(provider.role);
    if (fnScope === this) {
      // found by name, not by reference: make sure it exists first (in another region, the
      // stack depends on the support stack instead)
      config.node.addDependency(edgeFunction);
    }
    const versionArn = config.getAttString('VersionArn');
    this.functionVersion = lambda.Version.fromVersionArn(this, 'FunctionVersion', versionArn);

    // ---- the viewer-request association ----
    const isProtected = (pattern: string) => settings.protectedBehaviors === undefined || settings.protectedBehaviors.has(pattern);
    behaviors.associate(versionArn, isProtected);
    this.node.addValidation({
      validate: () => validateBehaviors(behaviors.resolve(), settings, isProtected,
        (warningId, message) => Annotations.of(this).addWarningV2(warningId, message)),
    });
    addBehaviorWarnings(this, props.distribution, behaviors, settings, isProtected);

    // ---- callback and sign-out URLs ----
    const domains = [props.distribution.distributionDomainName, ...aliases];
    this.callbackUrls = domains.map((d) => `https://${d}${settings.callbackPath}`);
    const landing = settings.signOutRedirectPath ?? signedOutPathFor(settings.signOutPath, settings.callbackPath);
    const logoutUrls = domains.map((d) => `https://${d}${landing}`);
    if (settings.registerCallbackUrls) {
      const urls = new CustomResource(this, 'CallbackUrls', { // id: public contract
        serviceToken: provider.function.functionArn,
        resourceType: CALLBACK_URLS_RESOURCE_TYPE, // public contract
        properties: {
          UserPoolId: props.userPool.userPoolId,
          ClientId: props.userPoolClient.userPoolClientId,
          CallbackUrls: this.callbackUrls,
          LogoutUrls: logoutUrls,
          ClientFingerprint: clientFingerprint,
        },
      });
      urls.node.addDependency(provider.role);
    }

    validateClient(this, props.userPoolClient, settings.scopes, props.identityProvider);
  }
}

// ---------------------------------------------------------------------------------------------
// props

interface Settings {
  readonly callbackPath: string;
  readonly signOutPath: string;
  readonly signOutRedirectPath?: string;
  readonly scopes: string[];
  readonly cookies?: Record<string, unknown>;
  readonly cookieDomain?: string;
  readonly protectedBehaviors?: Set<string>;
  readonly runtime: lambda.Runtime;
  readonly removalPolicy: RemovalPolicy;
  readonly registerCallbackUrls: boolean;
}

function validateProps(scope: Construct, props: CognitoEdgeAuthProps): Settings {
  const warn = (message: string) => Annotations.of(scope).addWarningV2(`cdk-cognito-edge-auth:${message.split(':')[0]}`, message);

  const callbackPath = validatePath(props.callbackPath ?? '/_auth/callback', 'callbackPath');
  const signOutPath = validatePath(props.signOutPath ?? '/_auth/signout', 'signOutPath');
  const signOutRedirectPath = props.signOutRedirectPath === undefined ? undefined : validatePath(props.signOutRedirectPath, 'signOutRedirectPath');
  for (const [prop, value] of [['callbackPath', callbackPath], ['signOutPath', signOutPath]] as const) {
    if (value === '/') throw new PropError(`${prop} must not be '/' (the site itself); use a dedicated path such as '/_auth/...'`);
  }
  if (callbackPath === signOutPath) {
    throw new PropError(`callbackPath and signOutPath must differ, both are ${JSON.stringify(callbackPath)}`);
  }
  if (signOutRedirectPath === callbackPath || signOutRedirectPath === signOutPath) {
    throw new PropError(`signOutRedirectPath must not be callbackPath or signOutPath (the browser would loop), got ${JSON.stringify(signOutRedirectPath)}; leave it out to land on the signed-out page the edge function serves`);
  }

  if (props.identityProvider !== undefined) validateIdentityProvider(props.identityProvider);

  const scopes = ['openid'];
  for (const s of props.oauthScopes ?? DEFAULT_SCOPES) {
    if (!Token.isUnresolved(s.scopeName) && (s.scopeName.length === 0 || /\s/.test(s.scopeName))) {
      throw new PropError(`oauthScopes must not contain empty scopes or whitespace, got ${JSON.stringify(s.scopeName)}`);
    }
    if (!scopes.includes(s.scopeName)) scopes.push(s.scopeName);
  }

  if (props.requiredGroups !== undefined) {
    validateGroups(props.requiredGroups, 'requiredGroups');
    if (props.requiredGroups.length === 0) {
      warn('requiredGroups: an empty list has no effect (any signed-in user gets through); remove it or name at least one group');
    }
  }

  if (props.pathAuthorizations !== undefined) {
    requireConcrete(props.pathAuthorizations, 'pathAuthorizations');
    const seen = new Set<string>();
    props.pathAuthorizations.forEach((rule, i) => {
      validatePathPattern(rule.pathPattern, `pathAuthorizations[${i}].pathPattern`);
      validateGroups(rule.requiredGroups, `pathAuthorizations[${i}].requiredGroups`);
      if (seen.has(rule.pathPattern)) {
        warn(`pathAuthorizations: the rule for ${JSON.stringify(rule.pathPattern)} at index ${i} is never used (an earlier rule has the same pattern; the first match wins)`);
      }
      seen.add(rule.pathPattern);
    });
  }

  let protectedBehaviors: Set<string> | undefined;
  if (props.protectedBehaviors !== undefined) {
    requireConcrete(props.protectedBehaviors, 'protectedBehaviors');
    if (props.protectedBehaviors.length === 0) {
      throw new PropError("protectedBehaviors must name at least one behaviour ('*' is the default behaviour); leave it out to protect them all");
    }
    protectedBehaviors = new Set();
    for (const p of props.protectedBehaviors) {
      requireConcrete(p, 'protectedBehaviors');
      const n = normalizePattern(p);
      if (protectedBehaviors.has(n)) warn(`protectedBehaviors: ${JSON.stringify(p)} is listed twice`);
      protectedBehaviors.add(n);
    }
  }

  const cookies = cookieConfig(props.cookieSettings, warn);

  const runtime = props.runtime ?? lambda.Runtime.NODEJS_22_X;
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !major || Number(major[1]) < 20) {
    throw new PropError(`runtime must be a Node.js runtime, 20 or later, that Lambda@Edge supports (the handler is a Node.js 20 bundle), got ${runtime.name}; use Runtime.NODEJS_22_X (the default)`);
  }
  if (Number(major[1]) === 20) {
    warn('runtime: Node.js 20 left Lambda\'s standard support on 30 April 2026, after which Lambda stops creating, then updating, functions on it; use Runtime.NODEJS_22_X (the default)');
  }

  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removalPolicy === RemovalPolicy.DESTROY) {
    warn('removalPolicy: DESTROY makes deleting the stack (or replacing the function) fail while CloudFront still has replicas of the function, for hours after the distribution stops using it; RETAIN (the default) avoids that');
  }

  if (props.refreshTokenValidity !== undefined) {
    requireConcrete(props.refreshTokenValidity, 'refreshTokenValidity');
    const seconds = props.refreshTokenValidity.toSeconds();
    if (seconds < 3600 || seconds > 3650 * 86400) {
      throw new PropError(`refreshTokenValidity must be between 1 hour and 3650 days (Cognito's range), got ${props.refreshTokenValidity.toHumanString()}`);
    }
  }

  return {
    callbackPath,
    signOutPath,
    signOutRedirectPath,
    scopes,
    cookies,
    protectedBehaviors,
    runtime,
    removalPolicy,
    cookieDomain: props.cookieSettings?.domain,
    registerCallbackUrls: props.registerCallbackUrls ?? true,
  };
}

function cookieConfig(c: CookieSettings | undefined, warn: (m: string) => void): Record<string, unknown> | undefined {
  if (c === undefined) return undefined;
  if (c.namePrefix !== undefined) validateCookieNamePrefix(c.namePrefix);
  if (c.domain !== undefined) validateCookieDomain(c.domain);
  if (c.path !== undefined) validateCookiePath(c.path, c.domain);
  let tokenMaxAgeSeconds: number | undefined;
  if (c.tokenMaxAge !== undefined) {
    requireConcrete(c.tokenMaxAge, 'cookieSettings.tokenMaxAge');
    tokenMaxAgeSeconds = c.tokenMaxAge.toSeconds();
    if (tokenMaxAgeSeconds < 60) {
      throw new PropError(`cookieSettings.tokenMaxAge must be at least 1 minute, got ${c.tokenMaxAge.toHumanString()}`);
    }
    if (tokenMaxAgeSeconds > MAX_TOKEN_SECONDS) {
      warn(`cookieSettings.tokenMaxAge: ${c.tokenMaxAge.toHumanString()} is ignored beyond 1 day: a token cookie never outlives its token, and Cognito tokens live at most 1 day`);
    }
  }
  const sameSite: SameSite | undefined = c.sameSite;
  const result = dropUndefined({ namePrefix: c.namePrefix, sameSite, domain: c.domain, path: c.path, tokenMaxAgeSeconds });
  return Object.keys(result).length > 0 ? result : undefined;
}

function readAliases(value: unknown): string[] {
  if (value === undefined) return [];
  if (Token.isUnresolved(value) || !Array.isArray(value)) {
    throw new PropError('distribution: its domainNames must be a list known at synth (each name may be a token)');
  }
  return value as string[];
}

function validateCookieDomainAgainstAliases(scope: Construct, domain: string | undefined, aliases: string[]): void {
  if (domain === undefined) return;
  const concrete = aliases.filter((a) => !Token.isUnresolved(a));
  if (concrete.length === aliases.length && !concrete.some((a) => domainMatches(a, domain))) {
    throw new PropError(`cookieSettings.domain ${JSON.stringify(domain)} covers none of the distribution's domain names (${concrete.join(', ') || 'none'}): ` +
      'browsers would drop the cookies and every login would loop; set it to a parent domain of an alias, or remove it');
  }
  Annotations.of(scope).addWarningV2('cdk-cognito-edge-auth:cookieDomain',
    `cookieSettings.domain: with a Domain set, logins work only on hosts inside ${domain}, not through the distribution's *.cloudfront.net name`);
}

function validateBehaviors(behaviors: ResolvedBehavior[], settings: Settings, isProtected: (p: string) => boolean,
  warn: (id: string, message: string) => void): string[] {
  const errors: string[] = [];
  const plainHttp = behaviors.filter((b) => b.viewerProtocolPolicy === 'allow-all'
    && isProtected(b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern))));
  if (plainHttp.length > 0) {
    warn('cdk-cognito-edge-auth:viewerProtocolPolicy', `protected behaviour(s) ${plainHttp.map((b) => JSON.stringify(b.pathPattern)).join(', ')} allow plain HTTP: ` +
      'the session cookies are Secure, so browsers never send them over http:// and every plain-HTTP request is sent to sign in again; ' +
      'set viewerProtocolPolicy to REDIRECT_TO_HTTPS (or HTTPS_ONLY) on those behaviours');
  }
  const patterns = new Set(behaviors.map((b) => b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern))));
  for (const p of settings.protectedBehaviors ?? []) {
    if (!patterns.has(p)) {
      errors.push(`CognitoEdgeAuth: protectedBehaviors names ${JSON.stringify(p)}, which is not a behaviour of the distribution ` +
        `(it has: ${[...patterns].map((x) => JSON.stringify(x)).join(', ')}); use one of those, '*' for the default behaviour`);
    }
  }
  errors.push(...findConflicts(behaviors, isProtected));
  for (const [prop, path] of [['callbackPath', settings.callbackPath], ['signOutPath', settings.signOutPath]] as const) {
    const serving = behaviors.find((b) => b.pathPattern === DEFAULT_BEHAVIOR || cloudFrontPatternMatches(String(b.pathPattern), path));
    const pattern = serving?.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(serving?.pathPattern));
    if (serving && !isProtected(pattern)) {
      errors.push(`CognitoEdgeAuth: ${prop} ${JSON.stringify(path)} is served by behaviour ${JSON.stringify(pattern)}, which is not in protectedBehaviors, ` +
        `so the edge function would never see it; add ${JSON.stringify(pattern)} to protectedBehaviors or choose a path served by a protected behaviour`);
    }
  }
  return errors;
}

/** Checks of a client defined in this app (an imported one is checked at deploy time). */
function validateClient(scope: Construct, client: cognito.IUserPoolClient, scopes: string[], identityProvider: string | undefined): void {
  const cfn = client.node.defaultChild;
  if (!(cfn instanceof cognito.CfnUserPoolClient)) return;
  const stack = Stack.of(cfn);
  const flows = stack.resolve(cfn.allowedOAuthFlows);
  const enabled = stack.resolve(cfn.allowedOAuthFlowsUserPoolClient);
  if (Array.isArray(flows) && flows.every((f) => typeof f === 'string') && (!flows.includes('code') || enabled === false)) {
    throw new PropError(`userPoolClient must allow the OAuth authorization code grant (its flows: ${JSON.stringify(flows)}); ` +
      'turn on authorizationCodeGrant (authorization_code_grant in Python) in the flows of the client\'s oAuth settings');
  }
  if (flows === undefined && (enabled === undefined || enabled === false)) {
    throw new PropError('userPoolClient has OAuth disabled; drop disableOAuth and turn on authorizationCodeGrant (authorization_code_grant in Python) in the flows of the client\'s oAuth settings');
  }
  scope.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      const allowed = stack.resolve(cfn.allowedOAuthScopes);
      if (Array.isArray(allowed) && allowed.every((s) => typeof s === 'string')) {
        const missing = scopes.filter((s) => !Token.isUnresolved(s) && !allowed.includes(s));
        if (missing.length > 0) {
          errors.push(`CognitoEdgeAuth: oauthScopes asks for ${missing.join(', ')}, which userPoolClient does not allow (it allows ${allowed.join(', ')}); ` +
            'add them to the client\'s oAuth.scopes or remove them from oauthScopes');
        }
      }
      const idps = stack.resolve(cfn.supportedIdentityProviders);
      if (identityProvider !== undefined && Array.isArray(idps) && idps.length > 0 && idps.every((p) => typeof p === 'string') && !idps.includes(identityProvider)) {
        errors.push(`CognitoEdgeAuth: identityProvider ${JSON.stringify(identityProvider)} is not a supported identity provider of userPoolClient (${idps.join(', ')}); ` +
          'add it to the client\'s supportedIdentityProviders or fix the name');
      }
      return errors;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// resources

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
    throw new PropError('the stack must be part of a CDK app or stage (the edge function goes into a us-east-1 support stack)');
  }
  const supportId = `${stack.stackName.slice(0, 100)}-edge-auth-${EDGE_REGION}`;
  let support = stage.node.tryFindChild(supportId) as Stack | undefined;
  if (!support) {
    support = new Stack(stage, supportId, {
      env: { account: stack.account, region: EDGE_REGION },
      description: `Lambda@Edge functions of ${stack.stackName} (cdk-cognito-edge-auth)`,
      tags: stack.tags.tagValues(),
    });
    stack.addDependency(support, 'cdk-cognito-edge-auth: the Lambda@Edge function lives in us-east-1');
  }
  return new Construct(support, Names.uniqueId(scope));
}

/** The config-injector Lambda: one per stack, shared by every CognitoEdgeAuth in it. */
class ConfigProvider extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string) {
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
}

function providerFor(stack: Stack): ConfigProvider {
  return (stack.node.tryFindChild(PROVIDER_ID) as ConfigProvider | undefined) ?? new ConfigProvider(stack, PROVIDER_ID);
}

/** `https://...` base URL of the hosted UI. */
function authDomainOf(scope: Construct, domain: cognito.IUserPoolDomain, pool: cognito.IUserPool): string {
  if (domain instanceof cognito.UserPoolDomain) return domain.baseUrl();
  const name = domain.domainName;
  if (Token.isUnresolved(name)) {
    Annotations.of(scope).addWarningV2('cdk-cognito-edge-auth:userPoolDomain',
      'userPoolDomain: the imported domain name is a token, taken as a Cognito prefix domain; import a custom domain by its literal name');
  } else if (name.includes('.')) {
    return `https://${name}`;
  }
  return `https://${name}.auth.${pool.env.region}.amazoncognito.com`;
}

/**
 * For a client defined in this app: a hash of its rendered CloudFormation, so that when the
 * client changes (CloudFormation then resets the URLs we added), our resources run again.
 */
function fingerprintOf(client: cognito.IUserPoolClient): string | undefined {
  const cfn = client.node.defaultChild;
  if (!(cfn instanceof cognito.CfnUserPoolClient)) return undefined;
  return Lazy.uncachedString({
    produce: (ctx) => crypto.createHash('sha256').update(JSON.stringify(ctx.resolve(clientRendering(cfn)))).digest('hex').slice(0, 32),
  });
}

function dropUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

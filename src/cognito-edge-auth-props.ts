/**
 * The props of {@link CognitoEdgeAuth} and the options of its methods.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { CognitoEdgeAuth } from './cognito-edge-auth';
import { CookieSettings } from './cookie-settings';
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
   * with it; the old key stops verifying sessions at the first deploy at least a day (the session
   * lifetime plus an hour) after the switch, its store entry is deleted once no session cookie
   * signed with it can arrive (the refresh token validity plus an hour after the switch), and up
   * to six rotations fit in that time. Only with `viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION`;
   * a positive whole number.
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

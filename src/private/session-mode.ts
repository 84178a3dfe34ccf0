/**
 * Session mode (design §7, `viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION`), the construct side:
 * the checks of its props, the KeyValueStore of the session keys, the CloudFront Function with its
 * configuration written into the code, the auth behavior (`<authPathPrefix>*`, answered by the
 * Lambda@Edge function) placed first among the distribution's behaviors, the function on every
 * other protected behavior, and what the config injector gets (custom-resource properties, IAM).
 *
 * Identity header and caching: the function sets the identity header on every request it lets
 * through, before the cache lookup. A response the origin personalised by that header must not be
 * served from the cache to another user, so every protected behavior must either key its cache on
 * the header or disable caching (`CachePolicy.CACHING_DISABLED`, or a cache policy of the app whose
 * maximum TTL is 0); anything else is a synth error naming the behavior. The construct creates no
 * cache policy itself (an account has room for 20, and which TTLs suit a site is the user's call).
 * With caching disabled, the origin sees the header where the behavior's origin request policy
 * forwards it (e.g. `OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { assetDir } from './asset-paths';
import { DEFAULT_BEHAVIOR, DistributionBehaviors, ResolvedBehavior } from './behaviors';
import { ValidationError } from './errors';
import { Settings, validateBehaviors } from './settings';
import { signedOutPathFor } from './signed-out-path';
import { normalizePattern, requireConcrete } from './validate';
import type { CognitoEdgeAuthProps } from '../cognito-edge-auth';
import { ViewerCheck } from '../viewer-check';

/** The auth route prefix when `authPathPrefix` is not given. */
export const DEFAULT_AUTH_PATH_PREFIX = '/_auth/';
/** The header the viewer function sets for the origin (lower case). */
export const SESSION_IDENTITY_HEADER = 'x-cognito-edge-auth-user';
/** The KeyValueStore actions the config injector needs on the store (session keys, their state). */
export const KEY_VALUE_STORE_ACTIONS = [
  'cloudfront-keyvaluestore:DescribeKeyValueStore',
  'cloudfront-keyvaluestore:GetKey',
  'cloudfront-keyvaluestore:ListKeys',
  'cloudfront-keyvaluestore:UpdateKeys',
];

/**
 * One or more canonical segments, each followed by `/`: the characters of `callbackPath`, no `*`
 * or `?` (the prefix becomes a behavior pattern), at most 64 characters (the viewer function's limit).
 */
const PREFIX = /^\/(?:[A-Za-z0-9\-._~!$&'()+,=:@]+\/)+$/;
const MAX_PREFIX_LENGTH = 64;

/** The session-mode props, checked, with their defaults. */
export interface SessionSettings {
  readonly authPathPrefix: string;
  readonly keyGeneration: number;
}

/** The built viewer-config module (assets/viewer-function/config.js, from lambda-src/shared/viewer-config.ts). */
interface ViewerConfigModule {
  readonly VIEWER_FUNCTION_MAX_BYTES: number;
  buildViewerConfig(input: Record<string, unknown>): unknown;
  injectViewerConfig(code: string, config: unknown): string;
}

/**
 * The mode, checked, and in session mode the auth path prefix, checked (before the auth paths,
 * whose defaults follow it): `props` with the session-mode defaults of `callbackPath` and
 * `signOutPath` (`<authPathPrefix>callback`, `<authPathPrefix>signout`) filled in.
 */
export function withSessionDefaults(props: CognitoEdgeAuthProps): CognitoEdgeAuthProps {
  const mode = props.viewerCheck ?? ViewerCheck.LAMBDA_EDGE;
  if (mode !== ViewerCheck.LAMBDA_EDGE && mode !== ViewerCheck.CLOUDFRONT_FUNCTION) {
    throw new ValidationError(`viewerCheck must be ViewerCheck.LAMBDA_EDGE or ViewerCheck.CLOUDFRONT_FUNCTION, got ${JSON.stringify(mode)}`);
  }
  if (mode === ViewerCheck.LAMBDA_EDGE) {
    for (const prop of ['authPathPrefix', 'sessionKeyGeneration'] as const) {
      if (props[prop] !== undefined) {
        throw new ValidationError(`${prop} has no effect without viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION (session mode); set viewerCheck or remove ${prop}`);
      }
    }
    return props;
  }
  const prefix = props.authPathPrefix ?? DEFAULT_AUTH_PATH_PREFIX;
  requireConcrete(prefix, 'authPathPrefix');
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH || /\/\.\.?\//.test(prefix)) {
    throw new ValidationError('authPathPrefix must be an absolute path of one or more segments that ends in "/", such as \'/_auth/\' ' +
      `(at most ${MAX_PREFIX_LENGTH} characters; letters, digits and -._~!$&'()+,=:@; no '.' or '..' segments, no '*' or '?'), got ${JSON.stringify(prefix)}`);
  }
  return { ...props, callbackPath: props.callbackPath ?? `${prefix}callback`, signOutPath: props.signOutPath ?? `${prefix}signout` };
}

/**
 * Check the session-mode props against each other and the resolved paths (after
 * {@link withSessionDefaults}); `undefined` in Lambda@Edge mode.
 */
export function resolveSessionSettings(props: CognitoEdgeAuthProps,
  paths: { callbackPath: string; signOutPath: string }): SessionSettings | undefined {
  if (props.viewerCheck !== ViewerCheck.CLOUDFRONT_FUNCTION) return undefined;
  const prefix = props.authPathPrefix ?? DEFAULT_AUTH_PATH_PREFIX;
  for (const [prop, value] of [['callbackPath', paths.callbackPath], ['signOutPath', paths.signOutPath]] as const) {
    if (!value.startsWith(prefix) || value.length === prefix.length) {
      throw new ValidationError(`${prop} ${JSON.stringify(value)} must lie under authPathPrefix ${JSON.stringify(prefix)} in session mode ` +
        `(the auth behavior '${prefix}*' is the only one the Lambda@Edge function runs on); use e.g. ${JSON.stringify(`${prefix}${prop === 'callbackPath' ? 'callback' : 'signout'}`)}, ` +
        'or leave it out for that default');
    }
  }
  const landing = props.signOutRedirectPath;
  if (landing !== undefined && landing.startsWith(prefix) && landing !== signedOutPathFor(paths.signOutPath, paths.callbackPath)) {
    throw new ValidationError(`signOutRedirectPath ${JSON.stringify(landing)} lies under authPathPrefix ${JSON.stringify(prefix)}, where the edge function answers ` +
      'every path itself (with 404 for all but its auth routes and the signed-out page); leave signOutRedirectPath out to land on the signed-out page, ' +
      'or choose a public page of the site outside the prefix');
  }
  if (props.forwardAuthCookies === true) {
    throw new ValidationError('forwardAuthCookies: true is not available with viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION: in session mode no token is kept in a cookie, ' +
      'so there is none to forward; remove forwardAuthCookies, or use ViewerCheck.LAMBDA_EDGE');
  }
  if (props.cookieSettings?.domain !== undefined) {
    throw new ValidationError('cookieSettings.domain is not available with viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION: the session cookie is a host-only ' +
      '`__Host-` cookie with Path=/ (the refresh cookie is limited to authPathPrefix); remove cookieSettings.domain (and cookieSettings.path)');
  }
  const generation = props.sessionKeyGeneration ?? 1;
  requireConcrete(generation, 'sessionKeyGeneration');
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new ValidationError(`sessionKeyGeneration must be a positive whole number (1, 2, …; raise it by one to rotate the session key), got ${JSON.stringify(generation)}`);
  }
  return { authPathPrefix: prefix, keyGeneration: generation };
}

/** What the viewer function's configuration is built from. */
export interface ViewerFunctionInput {
  readonly cookieNamePrefix?: string;
  readonly signOutPath: string;
  readonly requiredGroups?: string[];
  readonly pathRules?: Array<{ pathPattern: string; requiredGroups: string[] }>;
  readonly publicPaths?: string[];
}

/** The built viewer function with `input` written in (throws a ValidationError when it does not fit in CloudFront Functions' limit). */
export function viewerFunctionCode(settings: SessionSettings, input: ViewerFunctionInput): string {
  const dir = assetDir('viewer-function');
  const moduleFile = path.join(dir, 'config.js');
  if (!fs.existsSync(moduleFile)) {
    throw new ValidationError(`the viewer function's configuration module ${moduleFile} is missing; ` +
      'in a clone of the repository run `npx projen bundle` (the npm package ships it pre-built)');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const configModule = require(moduleFile) as ViewerConfigModule;
  let code: string;
  try {
    const config = configModule.buildViewerConfig({
      authPrefix: settings.authPathPrefix,
      cookieNamePrefix: input.cookieNamePrefix,
      signOutPath: input.signOutPath,
      identityHeader: SESSION_IDENTITY_HEADER,
      requiredGroups: input.requiredGroups,
      pathRules: input.pathRules,
      publicPaths: input.publicPaths,
    });
    code = configModule.injectViewerConfig(fs.readFileSync(path.join(dir, 'index.js'), 'utf8'), config);
  } catch (e) {
    throw new ValidationError(`the viewer function cannot be configured: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > configModule.VIEWER_FUNCTION_MAX_BYTES) {
    throw new ValidationError(`the viewer function with these pathAuthorizations (pathRules) and requiredGroups is ${bytes} bytes, over CloudFront Functions' ` +
      `limit of ${configModule.VIEWER_FUNCTION_MAX_BYTES} bytes; use fewer or shorter pathAuthorizations or group names, or viewerCheck: ViewerCheck.LAMBDA_EDGE`);
  }
  return code;
}

/** The resources of session mode, and how they attach to the distribution. */
export class SessionMode {
  public readonly keyValueStore: cloudfront.KeyValueStore;
  public readonly viewerFunction: cloudfront.Function;

  constructor(scope: Construct, public readonly settings: SessionSettings, input: ViewerFunctionInput) {
    const code = viewerFunctionCode(settings, input);
    this.keyValueStore = new cloudfront.KeyValueStore(scope, 'SessionKeys', { // id: public contract (replacing it loses the keys)
      comment: 'Session keys of cdk-cognito-edge-auth (written at deploy time)',
    });
    this.viewerFunction = new cloudfront.Function(scope, 'ViewerFunction', {
      code: cloudfront.FunctionCode.fromInline(code),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
      comment: 'Checks the session cookie (cdk-cognito-edge-auth)',
    });
  }

  /** The auth behavior's path pattern. */
  public get authPattern(): string {
    return `${this.settings.authPathPrefix}*`;
  }

  /** Properties added to the config custom resource (CloudFormation passes each value as a string). */
  public configProperties(): Record<string, unknown> {
    return {
      Session: {
        AuthPathPrefix: this.settings.authPathPrefix,
        KeyValueStoreArn: this.keyValueStore.keyValueStoreArn,
        KeyGeneration: String(this.settings.keyGeneration),
        IdentityHeader: SESSION_IDENTITY_HEADER,
      },
    };
  }

  /** Let the config injector read and write the session keys of this store only. */
  public allowInjector(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: KEY_VALUE_STORE_ACTIONS,
      resources: [this.keyValueStore.keyValueStoreArn],
    }));
  }

  /**
   * Make the distribution's L1 render the auth behavior (first, with the Lambda@Edge version on
   * viewer-request) and the viewer function on viewer-request of every protected behavior.
   */
  public attach(behaviors: DistributionBehaviors, versionArn: string, isProtected: (pattern: string) => boolean): void {
    const functionArn = this.viewerFunction.functionArn;
    const withFunction = (b: ResolvedBehavior, pattern: string): ResolvedBehavior => {
      if (!isProtected(pattern)) return b;
      const others = (b.functionAssociations ?? []).filter((a) => a.eventType !== 'viewer-request');
      return { ...b, functionAssociations: [...others, { eventType: 'viewer-request', functionArn }] };
    };
    behaviors.render(
      (def) => withFunction(def, DEFAULT_BEHAVIOR),
      (list, def) => [this.authBehavior(def, versionArn), ...list.map((b) => withFunction(b, normalizePattern(String(b.pathPattern))))],
    );
  }

  /** The auth behavior, on the default behavior's origin. */
  private authBehavior(def: ResolvedBehavior, versionArn: string): ResolvedBehavior {
    return {
      pathPattern: this.authPattern,
      targetOriginId: def.targetOriginId,
      viewerProtocolPolicy: def.viewerProtocolPolicy === 'https-only' ? 'https-only' : 'redirect-to-https',
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL.methods,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD.methods,
      cachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
      // The function answers every request here itself; the policy keeps the Host header from an S3 origin if one ever saw a request.
      originRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      compress: true,
      lambdaFunctionAssociations: [{ eventType: 'viewer-request', lambdaFunctionArn: versionArn, includeBody: false }],
    };
  }

  /**
   * Checks of the distribution's behaviors (as the app left them, default last) once the app is
   * complete: the general ones of {@link validateBehaviors} (which see the auth behavior first, and
   * no function associations: session mode checks those itself), then session mode's. Error messages.
   */
  public validate(scope: Construct, behaviors: ResolvedBehavior[], settings: Settings, isProtected: (pattern: string) => boolean): string[] {
    const view: ResolvedBehavior[] = [
      { pathPattern: this.authPattern },
      ...behaviors.map((b) => ({ ...b, lambdaFunctionAssociations: [], functionAssociations: [] })),
    ];
    const general = validateBehaviors(scope, view, settings, (p) => p === this.authPattern || isProtected(p));
    return [...general, ...this.sessionErrors(Stack.of(scope), behaviors, isProtected)];
  }

  private sessionErrors(stack: Stack, behaviors: ResolvedBehavior[], isProtected: (pattern: string) => boolean): string[] {
    const errors: string[] = [];
    const prefix = this.settings.authPathPrefix;
    for (const b of behaviors) {
      const pattern = b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern));
      const name = pattern === DEFAULT_BEHAVIOR ? 'the default behavior (\'*\')' : `behavior '${String(b.pathPattern)}'`;
      if (pattern !== DEFAULT_BEHAVIOR && pattern.startsWith(prefix)) {
        errors.push(`CognitoEdgeAuth: ${name} lies under authPathPrefix ${JSON.stringify(prefix)}: the auth behavior '${this.authPattern}' comes first ` +
          'and answers every path there, so the behavior would never be used; remove it, or choose another authPathPrefix');
        continue;
      }
      if (!isProtected(pattern)) continue;
      const viewerLambda = (b.lambdaFunctionAssociations ?? []).find((a) => a.eventType === 'viewer-request' || a.eventType === 'viewer-response');
      if (viewerLambda) {
        errors.push(`CognitoEdgeAuth: ${name} has a Lambda@Edge function on ${viewerLambda.eventType}, and CloudFront does not combine Lambda@Edge with the ` +
          'session check\'s CloudFront Function in viewer events; remove that edgeLambda, or leave the behavior out of protectedBehaviors');
      }
      const viewerFunction = (b.functionAssociations ?? []).find((a) => a.eventType === 'viewer-request' || a.eventType === 'viewer-response');
      if (viewerFunction) {
        errors.push(`CognitoEdgeAuth: ${name} already has a CloudFront Function on ${viewerFunction.eventType}; in session mode the construct puts its own ` +
          'on viewer-request, and the runtime allows one function per behavior and event; remove that function association, or leave the behavior out of protectedBehaviors');
      }
      if (!cacheIsSafe(stack, b.cachePolicyId)) {
        errors.push(`CognitoEdgeAuth: ${name} caches without the identity header ${SESSION_IDENTITY_HEADER} in its cache key: a response the origin personalised ` +
          'by that header could be served from the cache to another user. Give the behavior cachePolicy: CachePolicy.CACHING_DISABLED, or a cache policy whose ' +
          `headerBehavior is CacheHeaderBehavior.allowList('${SESSION_IDENTITY_HEADER}', ...), or leave the behavior out of protectedBehaviors`);
      }
    }
    return errors;
  }
}

/** Does the cache policy disable caching or key on the identity header? (`false` when it cannot be told: an imported or other managed policy.) */
function cacheIsSafe(stack: Stack, cachePolicyId: unknown): boolean {
  if (cachePolicyId === cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId) return true;
  const ref = (cachePolicyId as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref !== 'string') return false;
  const policy = stack.node.findAll().find((c): c is cloudfront.CfnCachePolicy =>
    c instanceof cloudfront.CfnCachePolicy && stack.resolve(c.logicalId) === ref);
  if (!policy) return false;
  const config = stack.resolve(policy.cachePolicyConfig) as {
    maxTtl?: unknown;
    parametersInCacheKeyAndForwardedToOrigin?: { headersConfig?: { headerBehavior?: unknown; headers?: unknown } };
  };
  if (config.maxTtl === 0) return true;
  const headers = config.parametersInCacheKeyAndForwardedToOrigin?.headersConfig;
  return headers?.headerBehavior === 'whitelist' && Array.isArray(headers.headers)
    && headers.headers.some((h) => typeof h === 'string' && h.toLowerCase() === SESSION_IDENTITY_HEADER);
}


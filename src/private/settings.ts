/**
 * CognitoEdgeAuth props → the settings the construct works with: every synth-time check of the
 * props, the distribution and its behaviors, with messages that name the prop and the fix, and
 * the warnings (each with its own id, see {@link WarningId}).
 */
import { Annotations, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_BEHAVIOR, findConflicts, ResolvedBehavior } from './behaviors';
import { ValidationError, WarningId } from './errors';
import { signedOutPathFor } from './signed-out-path';
import {
  cloudFrontPatternMatches, domainMatches, normalizePattern, requireConcrete, validateAliases, validateAuthPaths, validateCognitoIds,
  validateCookieDomain, validateCookieNamePrefix, validateCookiePath, validateGroups, validateIdentityProvider, validatePathPattern,
  validateScope, validateSeconds,
} from './validate';
import type { CognitoEdgeAuthProps } from '../cognito-edge-auth';
import type { CookieSettings, SameSite } from '../cookie-settings';

const DEFAULT_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];
/** Cognito's longest id/access token validity. */
const MAX_TOKEN_SECONDS = 86_400;

/** The props, checked, with their defaults applied. */
export interface Settings {
  readonly callbackPath: string;
  readonly signOutPath: string;
  /** `undefined`: the signed-out page the edge function serves beside `signOutPath`. */
  readonly signOutRedirectPath?: string;
  /** `openid` first, no duplicates. */
  readonly scopes: string[];
  /** The `cookies` object of the edge configuration, when any cookie setting is given. */
  readonly cookies?: Record<string, unknown>;
  readonly cookieDomain?: string;
  /** Normalised path patterns; `undefined`: every behavior. */
  readonly protectedBehaviors?: Set<string>;
  readonly runtime: lambda.Runtime;
  readonly removalPolicy: RemovalPolicy;
  readonly registerCallbackUrls: boolean;
}

/** Check the props (throws {@link ValidationError}) and resolve their defaults; warns on `scope`. */
export function resolveSettings(scope: Construct, props: CognitoEdgeAuthProps): Settings {
  const warn = (id: string, message: string) => Annotations.of(scope).addWarningV2(id, message);

  validateCognitoIds(props.userPool.userPoolId, props.userPoolClient.userPoolClientId);

  const callbackPath = props.callbackPath ?? '/_auth/callback';
  const signOutPath = props.signOutPath ?? '/_auth/signout';
  const signOutRedirectPath = props.signOutRedirectPath;
  const signedOutPage = signedOutPathFor(signOutPath, callbackPath);
  if (signOutRedirectPath === undefined && signedOutPage === callbackPath) {
    throw new ValidationError(`the signed-out page, where sign-out lands by default, would be at ${JSON.stringify(signedOutPage)}, which is callbackPath ` +
      '(both places beside signOutPath where the page can go are taken); choose another signOutPath or callbackPath, or set signOutRedirectPath');
  }
  validateAuthPaths({ callbackPath, signOutPath, signOutLandingPath: signOutRedirectPath });

  if (props.identityProvider !== undefined) validateIdentityProvider(props.identityProvider);

  const scopes = ['openid'];
  for (const s of props.oauthScopes ?? DEFAULT_SCOPES) {
    validateScope(s.scopeName);
    if (!scopes.includes(s.scopeName)) scopes.push(s.scopeName);
  }

  if (props.requiredGroups !== undefined) {
    validateGroups(props.requiredGroups, 'requiredGroups');
    if (props.requiredGroups.length === 0) {
      warn(WarningId.requiredGroups, 'requiredGroups: an empty list has no effect (any signed-in user gets through); remove it or name at least one group');
    }
  }

  if (props.pathAuthorizations !== undefined) {
    requireConcrete(props.pathAuthorizations, 'pathAuthorizations');
    const seen = new Set<string>();
    props.pathAuthorizations.forEach((rule, i) => {
      validatePathPattern(rule.pathPattern, `pathAuthorizations[${i}].pathPattern`);
      validateGroups(rule.requiredGroups, `pathAuthorizations[${i}].requiredGroups`);
      if (seen.has(rule.pathPattern)) {
        warn(WarningId.pathAuthorizations, `pathAuthorizations: the rule for ${JSON.stringify(rule.pathPattern)} at index ${i} is never used (an earlier rule has the same pattern; the first match wins)`);
      }
      seen.add(rule.pathPattern);
    });
  }

  let protectedBehaviors: Set<string> | undefined;
  if (props.protectedBehaviors !== undefined) {
    requireConcrete(props.protectedBehaviors, 'protectedBehaviors');
    if (props.protectedBehaviors.length === 0) {
      throw new ValidationError("protectedBehaviors must name at least one behavior ('*' is the default behavior); leave it out to protect them all");
    }
    protectedBehaviors = new Set();
    for (const p of props.protectedBehaviors) {
      requireConcrete(p, 'protectedBehaviors');
      const n = normalizePattern(p);
      if (protectedBehaviors.has(n)) warn(WarningId.protectedBehaviors, `protectedBehaviors: ${JSON.stringify(p)} is listed twice`);
      protectedBehaviors.add(n);
    }
  }

  const cookies = cookieConfig(props.cookieSettings, warn);

  const runtime = props.runtime ?? lambda.Runtime.NODEJS_22_X;
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !major || Number(major[1]) < 20) {
    throw new ValidationError(`runtime must be a Node.js runtime, 20 or later, that Lambda@Edge supports (the handler is a Node.js 20 bundle), got ${runtime.name}; use Runtime.NODEJS_22_X (the default)`);
  }
  if (Number(major[1]) === 20) {
    warn(WarningId.runtime, 'runtime: Node.js 20 left Lambda\'s standard support on 30 April 2026, after which Lambda stops creating, then updating, functions on it; use Runtime.NODEJS_22_X (the default)');
  }

  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removalPolicy === RemovalPolicy.DESTROY) {
    warn(WarningId.removalPolicy, 'removalPolicy: DESTROY makes deleting the stack (or replacing the function) fail while CloudFront still has replicas of the function, for hours after the distribution stops using it; RETAIN (the default) avoids that');
  }

  if (props.refreshTokenValidity !== undefined) {
    requireConcrete(props.refreshTokenValidity, 'refreshTokenValidity');
    validateSeconds(props.refreshTokenValidity.toSeconds(), props.refreshTokenValidity.toHumanString(), 'refreshTokenValidity', 'refreshTokenValidity');
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

function cookieConfig(c: CookieSettings | undefined, warn: (id: string, message: string) => void): Record<string, unknown> | undefined {
  if (c === undefined) return undefined;
  if (c.namePrefix !== undefined) validateCookieNamePrefix(c.namePrefix);
  if (c.domain !== undefined) validateCookieDomain(c.domain);
  if (c.path !== undefined) validateCookiePath(c.path, c.domain);
  let tokenMaxAgeSeconds: number | undefined;
  if (c.tokenMaxAge !== undefined) {
    requireConcrete(c.tokenMaxAge, 'cookieSettings.tokenMaxAge');
    tokenMaxAgeSeconds = c.tokenMaxAge.toSeconds();
    validateSeconds(tokenMaxAgeSeconds, c.tokenMaxAge.toHumanString(), 'cookieSettings.tokenMaxAge', 'tokenMaxAge');
    if (tokenMaxAgeSeconds > MAX_TOKEN_SECONDS) {
      warn(WarningId.tokenMaxAge, `cookieSettings.tokenMaxAge: ${c.tokenMaxAge.toHumanString()} is ignored beyond 1 day: a token cookie never outlives its token, and Cognito tokens live at most 1 day`);
    }
  }
  const sameSite: SameSite | undefined = c.sameSite;
  const result = dropUndefined({ namePrefix: c.namePrefix, sameSite, domain: c.domain, path: c.path, tokenMaxAgeSeconds });
  return Object.keys(result).length > 0 ? result : undefined;
}

/** The distribution's alternate domain names (each may be a token). */
export function readAliases(value: unknown): string[] {
  if (value === undefined) return [];
  if (Token.isUnresolved(value) || !Array.isArray(value)) {
    throw new ValidationError('distribution: its domainNames must be a list known at synth (each name may be a token)');
  }
  validateAliases(value as string[]);
  return value as string[];
}

/** A cookie Domain must cover one of the distribution's names, else browsers drop the cookies. */
export function validateCookieDomainAgainstAliases(scope: Construct, domain: string | undefined, aliases: string[]): void {
  if (domain === undefined) return;
  const concrete = aliases.filter((a) => !Token.isUnresolved(a));
  if (concrete.length === aliases.length && !concrete.some((a) => domainMatches(a, domain))) {
    throw new ValidationError(`cookieSettings.domain ${JSON.stringify(domain)} covers none of the distribution's domain names (${concrete.join(', ') || 'none'}): ` +
      'browsers would drop the cookies and every login would loop; set it to a parent domain of an alias, or remove it');
  }
  // Info, not a warning: it holds for every valid Domain, and a warning would fail `cdk synth --strict`.
  Annotations.of(scope).addInfo(
    `cookieSettings.domain: with a Domain set, logins work only on hosts inside ${domain}, not through the distribution's *.cloudfront.net name`);
}

/**
 * Checks of the distribution's behaviors, run when the app is complete (behaviors may be added
 * after the construct): returns the error messages, warns on `scope`.
 */
export function validateBehaviors(scope: Construct, behaviors: ResolvedBehavior[], settings: Settings,
  isProtected: (p: string) => boolean): string[] {
  const errors: string[] = [];
  const plainHttp = behaviors.filter((b) => b.viewerProtocolPolicy === 'allow-all'
    && isProtected(b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern))));
  if (plainHttp.length > 0) {
    const names = plainHttp.map((b) => JSON.stringify(b.pathPattern)).join(', ');
    Annotations.of(scope).addWarningV2(WarningId.viewerProtocolPolicy, `protected behavior(s) ${names} allow plain HTTP: ` +
      'the session cookies are Secure, so browsers never send them over http:// and every plain-HTTP request is sent to sign in again; ' +
      'set viewerProtocolPolicy to REDIRECT_TO_HTTPS (or HTTPS_ONLY) on those behaviors');
  }
  const patterns = new Set(behaviors.map((b) => b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern))));
  for (const p of settings.protectedBehaviors ?? []) {
    if (!patterns.has(p)) {
      errors.push(`CognitoEdgeAuth: protectedBehaviors names ${JSON.stringify(p)}, which is not a behavior of the distribution ` +
        `(it has: ${[...patterns].map((x) => JSON.stringify(x)).join(', ')}); use one of those, '*' for the default behavior`);
    }
  }
  errors.push(...findConflicts(behaviors, isProtected));
  for (const [prop, path] of [['callbackPath', settings.callbackPath], ['signOutPath', settings.signOutPath]] as const) {
    const serving = behaviors.find((b) => b.pathPattern === DEFAULT_BEHAVIOR || cloudFrontPatternMatches(String(b.pathPattern), path));
    const pattern = serving?.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(serving?.pathPattern));
    if (serving && !isProtected(pattern)) {
      errors.push(`CognitoEdgeAuth: ${prop} ${JSON.stringify(path)} is served by behavior ${JSON.stringify(pattern)}, which is not in protectedBehaviors, ` +
        `so the edge function would never see it; add ${JSON.stringify(pattern)} to protectedBehaviors or choose a path served by a protected behavior`);
    }
  }
  return errors;
}

/** A copy of `obj` without its `undefined` values (they would otherwise reach the template). */
export function dropUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

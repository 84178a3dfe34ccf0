/**
 * Synth-time warnings about what the distribution's behaviors expose: where the browser lands
 * after sign-out, and origins that protected and unprotected behaviors share.
 *
 * Checked in a validation, when the behaviors the app adds after the construct are known too.
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { DEFAULT_BEHAVIOR, DistributionBehaviors, ResolvedBehavior } from './behaviors';
import { signedOutPathFor } from './signed-out-path';
import { cloudFrontPatternMatches, normalizePattern } from './validate';

/** The header the edge function sets for the origin (design §4, identity header). */
const IDENTITY_HEADER = 'x-cognito-edge-auth-user';

/** Warning ids, for `Annotations.acknowledgeWarning`. */
export const WARNING_IDS = {
  signOutRedirectPath: 'cdk-cognito-edge-auth:signOutRedirectPath',
  signedOutPage: 'cdk-cognito-edge-auth:signedOutPage',
  sharedOrigin: 'cdk-cognito-edge-auth:sharedOrigin',
} as const;

/** The paths the warnings look at (validated props). */
export interface SignOutPaths {
  readonly callbackPath: string;
  readonly signOutPath: string;
  /** Undefined: the browser lands on the signed-out page the edge function serves. */
  readonly signOutRedirectPath?: string;
}

/**
 * Adds a validation to `scope` that reports the warnings of this module on it (and fails when the
 * default signed-out page would be the callback path).
 */
export function addBehaviorWarnings(scope: Construct, distribution: cloudfront.Distribution, behaviors: DistributionBehaviors,
  paths: SignOutPaths, isProtected: (pattern: string) => boolean, authPrefix?: string): void {
  scope.node.addValidation({
    validate: () => {
      const signedOutPath = signedOutPathFor(paths.signOutPath, paths.callbackPath);
      if (paths.signOutRedirectPath === undefined && signedOutPath === paths.callbackPath) {
        return [`CognitoEdgeAuth: the signed-out page, where sign-out lands by default, would be at ${JSON.stringify(signedOutPath)}, which is callbackPath ` +
          '(both places beside signOutPath where the page can go are taken); choose another signOutPath or callbackPath, or set signOutRedirectPath'];
      }
      const resolved = behaviors.resolve();
      for (const [id, message] of [
        // in session mode the auth behavior (first) serves every path under the prefix, the signed-out page included
        ...(authPrefix !== undefined && paths.signOutRedirectPath === undefined && signedOutPath.startsWith(authPrefix)
          ? [] : signOutLandingWarnings(resolved, paths, isProtected)),
        ...sharedOriginWarnings(resolved, originServers(distribution), isProtected),
      ]) {
        Annotations.of(scope).addWarningV2(id, message);
      }
      return [];
    },
  });
}

/** A behavior's pattern as `protectedBehaviors` spells it ('*' for the default behavior). */
function patternOf(b: ResolvedBehavior): string {
  return b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern));
}

/** The behavior CloudFront picks for `path`: the first whose pattern matches, else the default. */
function servingPattern(behaviors: ResolvedBehavior[], path: string): string {
  const b = behaviors.find((x) => x.pathPattern === DEFAULT_BEHAVIOR || cloudFrontPatternMatches(String(x.pathPattern), path));
  return b ? patternOf(b) : DEFAULT_BEHAVIOR;
}

/**
 * A landing page the function protects (IdP single sign-on signs the user straight back in), or a
 * default signed-out page the function never sees (the origin answers it).
 */
export function signOutLandingWarnings(behaviors: ResolvedBehavior[], paths: SignOutPaths,
  isProtected: (pattern: string) => boolean): Array<[string, string]> {
  const signedOutPath = signedOutPathFor(paths.signOutPath, paths.callbackPath);
  const landing = paths.signOutRedirectPath;
  if (landing === undefined) {
    const pattern = servingPattern(behaviors, signedOutPath);
    if (isProtected(pattern)) return [];
    return [[WARNING_IDS.signedOutPage, `signOutRedirectPath: the signed-out page ${JSON.stringify(signedOutPath)}, where sign-out lands by default, ` +
      `is served by behavior ${JSON.stringify(pattern)}, which is not in protectedBehaviors, so the edge function never serves it and the origin answers instead; ` +
      `add ${JSON.stringify(pattern)} to protectedBehaviors, or set signOutRedirectPath to a public page of the site`]];
  }
  if (landing === signedOutPath) return []; // the function serves it, unprotected
  const pattern = servingPattern(behaviors, landing);
  if (!isProtected(pattern)) return [];
  return [[WARNING_IDS.signOutRedirectPath, `signOutRedirectPath: ${JSON.stringify(landing)} is served by behavior ${JSON.stringify(pattern)}, ` +
    'which the edge function protects: after sign-out the browser lands on a page that needs a login, where IdP single sign-on can sign the user ' +
    'straight back in (on a shared computer, handing the next person the session); leave signOutRedirectPath out to land on the signed-out page ' +
    `the function serves (${JSON.stringify(signedOutPath)}), or point it at a page of a behavior that is not in protectedBehaviors`]];
}

/** The servers behind each origin id: a server is named by its domain name (two origin entries for one host are one server). */
export type OriginServers = Map<string, Set<string>>;

/**
 * The servers of the distribution's origins and origin groups (a group is the union of its
 * members), by origin id. A domain name that is a token is named by its first origin's id.
 */
function originServers(distribution: cloudfront.Distribution): OriginServers {
  const cfn = distribution.node.defaultChild as cloudfront.CfnDistribution;
  const stack = Stack.of(cfn);
  const config = cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty;
  const servers: OriginServers = new Map();
  const tokenNames = new Map<string, string>();
  const origins = stack.resolve(config.origins) as Array<{ id?: unknown; domainName?: unknown }> | undefined;
  for (const o of Array.isArray(origins) ? origins : []) {
    const id = String(o.id);
    let name: string;
    if (typeof o.domainName === 'string') {
      name = o.domainName;
    } else {
      const key = JSON.stringify(o.domainName);
      name = tokenNames.get(key) ?? `the domain of origin ${id}`;
      tokenNames.set(key, name);
    }
    servers.set(id, new Set([name]));
  }
  type Group = { id?: unknown; members?: { items?: Array<{ originId?: unknown }> } };
  const groups = stack.resolve(config.originGroups) as { items?: Group[] } | undefined;
  for (const g of Array.isArray(groups?.items) ? groups.items : []) {
    const members = (g.members?.items ?? []).flatMap((m) => [...servers.get(String(m.originId)) ?? [`origin ${String(m.originId)}`]]);
    servers.set(String(g.id), new Set(members));
  }
  return servers;
}

/**
 * Behaviors without the function whose origin also serves protected behaviors: a client can
 * send the identity header itself through them.
 */
export function sharedOriginWarnings(behaviors: ResolvedBehavior[], servers: OriginServers,
  isProtected: (pattern: string) => boolean): Array<[string, string]> {
  const serversOf = (b: ResolvedBehavior) => servers.get(String(b.targetOriginId)) ?? new Set([`origin ${String(b.targetOriginId)}`]);
  const protectedServers = new Set(behaviors.filter((b) => isProtected(patternOf(b))).flatMap((b) => [...serversOf(b)]));
  const exposed = behaviors
    .filter((b) => !isProtected(patternOf(b)))
    .map((b) => ({ pattern: patternOf(b), shared: [...serversOf(b)].filter((s) => protectedServers.has(s)) }))
    .filter((x) => x.shared.length > 0);
  if (exposed.length === 0) return [];
  const list = exposed.map((x) => `${JSON.stringify(x.pattern)} (${x.shared.join(', ')})`).join(', ');
  return [[WARNING_IDS.sharedOrigin, `protectedBehaviors: behavior(s) ${list} are not protected but share an origin with protected behaviors: ` +
    `there a client can send the ${IDENTITY_HEADER} header itself, and the origin cannot tell it from the one the edge function sets; ` +
    'if the origin trusts that header, serve those paths from another origin or protect them too ' +
    `(if it ignores the header, acknowledge the warning id ${WARNING_IDS.sharedOrigin})`]];
}

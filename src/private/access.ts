/**
 * Synth-time checks of `publicPaths` and `groupsClaim` (the paths anyone may request, and the
 * id-token claim that carries the groups).
 */
import { ValidationError } from './errors';
import { requireConcrete, validatePathPattern } from './validate';

/** Claim names: printable ASCII without spaces, as Cognito attribute names and OIDC claims are. */
const CLAIM_NAME = /^[\x21-\x7e]{1,256}$/;

/** The checked `publicPaths`, or `undefined` when none are given. */
export function resolvePublicPaths(patterns: string[] | undefined): string[] | undefined {
  if (patterns === undefined) return undefined;
  requireConcrete(patterns, 'publicPaths');
  patterns.forEach((p, i) => {
    validatePathPattern(p, `publicPaths[${i}]`);
    if (!p.startsWith('/')) {
      throw new ValidationError(`publicPaths[${i}] must start with '/' (it is matched against the request path, e.g. '/robots.txt'), got ${JSON.stringify(p)}`);
    }
    if (/^\/\**$/.test(p)) {
      throw new ValidationError(`publicPaths[${i}] ${JSON.stringify(p)} makes every path public; leave the behavior out of protectedBehaviors instead`);
    }
  });
  return patterns.length > 0 ? [...patterns] : undefined;
}

/** The checked `groupsClaim`, or `undefined` for the default (`cognito:groups`). */
export function resolveGroupsClaim(claim: string | undefined): string | undefined {
  if (claim === undefined) return undefined;
  requireConcrete(claim, 'groupsClaim');
  if (!CLAIM_NAME.test(claim)) {
    throw new ValidationError(`groupsClaim must be the name of an id-token claim such as 'cognito:groups' or 'custom:roles' (1–256 printable characters, no spaces), got ${JSON.stringify(claim)}`);
  }
  return claim === 'cognito:groups' ? undefined : claim;
}

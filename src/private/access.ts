/**
 * Synth-time checks of `publicPaths` and `groupsClaim` (the paths anyone may request, and the
 * id-token claim that carries the groups).
 */
import { groupsClaimProblem, publicPathProblem } from './config-rules';
import { ValidationError } from './errors';
import { requireConcrete } from './validate';

/** The checked `publicPaths`, or `undefined` when none are given. */
export function resolvePublicPaths(patterns: string[] | undefined): string[] | undefined {
  if (patterns === undefined) return undefined;
  requireConcrete(patterns, 'publicPaths');
  patterns.forEach((p, i) => {
    const problem = publicPathProblem(p);
    if (problem !== undefined) throw new ValidationError(`publicPaths[${i}] must be ${problem}, got ${JSON.stringify(p)}`);
  });
  return patterns.length > 0 ? [...patterns] : undefined;
}

/** The checked `groupsClaim`, or `undefined` for the default (`cognito:groups`). */
export function resolveGroupsClaim(claim: string | undefined): string | undefined {
  if (claim === undefined) return undefined;
  requireConcrete(claim, 'groupsClaim');
  const problem = groupsClaimProblem(claim);
  if (problem !== undefined) throw new ValidationError(`groupsClaim must be ${problem}, got ${JSON.stringify(claim)}`);
  return claim === 'cognito:groups' ? undefined : claim;
}

/**
 * Group authorization: the first path rule whose pattern matches the uri decides the required
 * groups, else the global `requiredGroups`; an absent or empty list means any signed-in user,
 * otherwise the user needs at least one of the groups (any-of).
 */
import type { ResolvedConfig } from './config';
import type { Identity } from './token-verifier';

export class Authorizer {
  constructor(private readonly config: Pick<ResolvedConfig, 'pathRules' | 'requiredGroups'>) {}

  /** Groups required for `uri` (empty: any signed-in user). */
  requiredGroupsFor(uri: string): readonly string[] {
    for (const rule of this.config.pathRules) {
      if (rule.pattern.test(uri)) return rule.requiredGroups;
    }
    return this.config.requiredGroups ?? [];
  }

  isAllowed(identity: Identity, uri: string): boolean {
    const required = this.requiredGroupsFor(uri);
    return required.length === 0 || required.some((g) => identity.groups.includes(g));
  }
}

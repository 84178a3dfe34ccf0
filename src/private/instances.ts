/**
 * Several CognitoEdgeAuth in one app: each distribution is protected by one instance, and two
 * instances whose session cookies could reach the same hosts must not share cookie names.
 *
 * Instances register here (per construct tree, so separate apps never see each other).
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { domainMatches } from './validate';

/** Default `cookieSettings.namePrefix` (the edge handler's default too). */
export const DEFAULT_COOKIE_PREFIX = 'CognitoEdgeAuth';

interface Instance {
  readonly owner: IConstruct;
  readonly cookiePrefix: string;
  readonly cookieDomain?: string;
  /** Distributions the instance serves, with their alternate domain names. */
  readonly distributions: Array<{ readonly distribution: IConstruct; readonly aliases: string[] }>;
}

const byRoot = new WeakMap<IConstruct, Instance[]>();

function instancesOf(scope: IConstruct): Instance[] {
  const root = scope.node.root;
  let list = byRoot.get(root);
  if (!list) {
    list = [];
    byRoot.set(root, list);
  }
  return list;
}

/** Register an instance (before it edits its distribution). */
export function registerInstance(owner: IConstruct, cookiePrefix: string | undefined, cookieDomain: string | undefined): void {
  instancesOf(owner).push({ owner, cookiePrefix: cookiePrefix ?? DEFAULT_COOKIE_PREFIX, cookieDomain, distributions: [] });
}

/**
 * Record that `owner` serves `distribution`; a distribution served by another instance is an
 * error (a behavior has one viewer-request function, and two instances would share cookies).
 */
export function claimDistribution(owner: IConstruct, distribution: IConstruct, aliases: string[]): void {
  const list = instancesOf(owner);
  const other = list.find((i) => i.owner !== owner && i.distributions.some((d) => d.distribution === distribution));
  if (other) {
    throw new ValidationError(`distribution ${distribution.node.path} is already protected by the CognitoEdgeAuth at ${other.owner.node.path}; ` +
      'one CognitoEdgeAuth serves a distribution (a behavior has one viewer-request function, and two instances on the same hosts would overwrite ' +
      'each other\'s session cookies): use one instance, with pathAuthorizations for per-path groups and protectedBehaviors for the behaviors it covers');
  }
  const self = list.find((i) => i.owner === owner)!;
  if (self.distributions.some((d) => d.distribution === distribution)) {
    throw new ValidationError(`distribution ${distribution.node.path} is already served by this CognitoEdgeAuth`);
  }
  self.distributions.push({ distribution, aliases });
}

/**
 * Errors for instances registered before `owner` whose cookies share `owner`'s names and can
 * reach the same hosts (reported once, by the later instance).
 */
export function cookieCollisions(owner: IConstruct): string[] {
  const list = instancesOf(owner);
  const index = list.findIndex((i) => i.owner === owner);
  if (index < 0) return [];
  const self = list[index];
  const errors: string[] = [];
  for (const other of list.slice(0, index)) {
    if (other.cookiePrefix !== self.cookiePrefix || !cookiesOverlap(self, other)) continue;
    const scope = self.cookieDomain ?? other.cookieDomain;
    errors.push(`CognitoEdgeAuth: its session cookies and those of the CognitoEdgeAuth at ${other.owner.node.path} have the same names ` +
      `(cookieSettings.namePrefix ${JSON.stringify(self.cookiePrefix)}) and both reach hosts in ${scope}, so each sign-in would overwrite the other's session; ` +
      'give each instance its own cookieSettings.namePrefix (e.g. \'SiteA\' and \'SiteB\')');
  }
  return errors;
}

/** Can a cookie of one instance reach a host of the other (through a Domain attribute)? */
function cookiesOverlap(a: Instance, b: Instance): boolean {
  const hosts = (i: Instance) => i.distributions.flatMap((d) => d.aliases).filter((h) => !Token.isUnresolved(h));
  const reaches = (from: Instance, to: Instance): boolean => {
    if (from.cookieDomain === undefined) return false;
    const domain = from.cookieDomain;
    if (to.cookieDomain !== undefined && (domainMatches(to.cookieDomain, domain) || domainMatches(domain, to.cookieDomain))) return true;
    return hosts(to).some((h) => domainMatches(h, domain));
  };
  return reaches(a, b) || reaches(b, a);
}

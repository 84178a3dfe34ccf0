/**
 * The distributions one CognitoEdgeAuth serves (its own, and those added with `addDistribution`)
 * and the domain names they answer on: the request hosts the edge function accepts, and the
 * callback and sign-out URLs registered on the app client.
 */
import { NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/** A literal DNS name (a leading `*` label is left to the alias rules of the contract). */
const DOMAIN_NAME = /^(?=.{1,253}$)[A-Za-z0-9*](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The domain names of the distributions served, in the order the URLs are registered. */
export class ServedDomains {
  /** Each distribution's own name (a token), then its alternate domain names. */
  private readonly domains: string[] = [];
  /** The alternate domain names of the distributions added with `addDistribution`. */
  private readonly addedAliases: string[] = [];

  /** Add a distribution: its own name and its alternate names (`added`: through `addDistribution`). */
  public add(distribution: cloudfront.IDistribution, aliases: string[], added: boolean): void {
    this.domains.push(distribution.distributionDomainName, ...aliases);
    if (added) this.addedAliases.push(...aliases);
  }

  /** `https://<domain><path>` for every domain. */
  public urls(path: string): string[] {
    return this.domains.map((d) => `https://${d}${path}`);
  }

  /** `https://<domain><path>` for the literal domain names after the first distribution's own name. */
  public aliasUrls(path: string): string[] {
    return this.domains.slice(1).filter((d) => !Token.isUnresolved(d)).map((d) => `https://${d}${path}`);
  }

  /** The `aliases` of the edge configuration: `aliases`, then those of the added distributions; `undefined` when none. */
  public configAliases(aliases: string[]): string[] | undefined {
    return aliases.length + this.addedAliases.length > 0 ? [...aliases, ...this.addedAliases] : undefined;
  }
}

/** The `domainNames` of `addDistribution`: literal DNS names. */
export function validateDomainNames(names: string[]): void {
  for (const name of names) {
    if (Token.isUnresolved(name) || !DOMAIN_NAME.test(name)) {
      throw new ValidationError(`addDistribution: domainNames must be literal DNS names such as 'app.example.com' (known at synth), got ${JSON.stringify(name)}`);
    }
  }
}

/**
 * With callback registration on, a distribution in another (top-level) stack would make the two
 * stacks reference each other (the distribution uses the version from `owner`'s stack; the
 * registration reads the distribution's domain name): say so, instead of CDK's cyclic-reference error.
 */
export function checkDistributionStack(owner: IConstruct, distribution: cloudfront.IDistribution, prop: string, registerUrls: boolean): void {
  if (!registerUrls) return;
  const own = Stack.of(owner);
  let s: Stack | undefined = Stack.of(distribution);
  while (s !== undefined && s !== own) s = NestedStack.isNestedStack(s) ? s.nestedStackParent : undefined;
  if (s === own) return;
  throw new ValidationError(`${prop}: the distribution ${distribution.node.path} is in stack ${Stack.of(distribution).stackName}, the CognitoEdgeAuth in ${own.stackName}; ` +
    'with registerCallbackUrls the stacks would reference each other (the distribution uses the function version from this stack, the callback ' +
    'registration needs the distribution\'s domain name), which CloudFormation cannot deploy. Create the CognitoEdgeAuth in the distribution\'s stack, ' +
    'or the distribution in this stack or a NestedStack of it, or set registerCallbackUrls: false and add callbackUrls and logoutUrls to the app client yourself');
}

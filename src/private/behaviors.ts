/**
 * Attaching the edge function to an existing `cloudfront.Distribution`, through its L1.
 *
 * `Distribution` renders `DefaultCacheBehavior` when it is constructed and `CacheBehaviors`
 * lazily (so behaviors added later are included). We replace both values of the L1's
 * `distributionConfig` with lazy values that resolve the originals at synth time and add the
 * viewer-request association to the selected behaviors. The values are still in the L1's
 * camelCase form at that point (CfnResource resolves properties before it renders them), so
 * associations the user set for other event types are kept as they are.
 */
import { IResolveContext, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { ValidationError } from './errors';
import { normalizePattern } from './validate';

/** A behavior as it looks once the L1 value is resolved (camelCase keys). */
export interface ResolvedBehavior {
  readonly pathPattern?: string;
  readonly lambdaFunctionAssociations?: Array<{ eventType?: string; lambdaFunctionArn?: unknown; includeBody?: unknown }>;
  readonly functionAssociations?: Array<{ eventType?: string; functionArn?: unknown }>;
  readonly [key: string]: unknown;
}

export const DEFAULT_BEHAVIOR = '*';

/** Reads and edits the behaviors of one distribution. */
export class DistributionBehaviors {
  private readonly cfn: cloudfront.CfnDistribution;
  private readonly originalDefault: unknown;
  private readonly originalBehaviors: unknown;

  constructor(distribution: cloudfront.Distribution) {
    const cfn = distribution.node.defaultChild;
    if (!(cfn instanceof cloudfront.CfnDistribution)) {
      throw new ValidationError('distribution must be a cloudfront.Distribution whose L1 (node.defaultChild) is a CfnDistribution');
    }
    const config = cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty;
    if (!config || typeof config !== 'object' || !('defaultCacheBehavior' in config)) {
      throw new ValidationError('distribution: its L1 distributionConfig was replaced by a token; keep the one cloudfront.Distribution renders');
    }
    this.cfn = cfn;
    this.originalDefault = config.defaultCacheBehavior;
    this.originalBehaviors = config.cacheBehaviors;
  }

  /** Aliases (alternate domain names) as configured on the L1. */
  public get aliases(): unknown {
    return (this.cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty).aliases;
  }

  /** The behaviors in CloudFront's order of evaluation, default behavior last (pattern '*'). */
  public resolve(context?: IResolveContext): ResolvedBehavior[] {
    const resolve = (x: unknown) => context ? context.resolve(x) : Stack.of(this.cfn).resolve(x);
    const additional = (resolve(this.originalBehaviors) ?? []) as ResolvedBehavior[];
    const def = resolve(this.originalDefault) as ResolvedBehavior;
    return [...additional, { ...def, pathPattern: DEFAULT_BEHAVIOR }];
  }

  /**
   * Make the L1 render a viewer-request association with `versionArn` on the behaviors that
   * `isProtected(pattern)` selects. Conflicts are reported by {@link findConflicts} (a validation).
   */
  public associate(versionArn: string, isProtected: (pattern: string) => boolean): void {
    const config = this.cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty;
    const withAssociation = (b: ResolvedBehavior, pattern: string): ResolvedBehavior => {
      if (!isProtected(pattern)) return b;
      const others = (b.lambdaFunctionAssociations ?? []).filter((a) => a.eventType !== 'viewer-request');
      return {
        ...b,
        lambdaFunctionAssociations: [...others, { eventType: 'viewer-request', lambdaFunctionArn: versionArn, includeBody: false }],
      };
    };
    const originalDefault = this.originalDefault;
    const originalBehaviors = this.originalBehaviors;
    this.cfn.distributionConfig = {
      ...config,
      defaultCacheBehavior: Lazy.uncachedAny({
        produce: (ctx) => withAssociation(ctx.resolve(originalDefault) as ResolvedBehavior, DEFAULT_BEHAVIOR),
      }) as unknown as cloudfront.CfnDistribution.DefaultCacheBehaviorProperty,
      cacheBehaviors: Lazy.uncachedAny({
        produce: (ctx) => {
          const list = ctx.resolve(originalBehaviors) as ResolvedBehavior[] | undefined;
          return list?.map((b) => withAssociation(b, normalizePattern(String(b.pathPattern))));
        },
      }),
    };
  }

  /**
   * Make the L1 render the default behavior through `editDefault` and the additional behaviors
   * through `editList` (which also gets the default behavior, and may add or reorder behaviors).
   * Used instead of {@link associate} in session mode.
   */
  public render(editDefault: (b: ResolvedBehavior) => ResolvedBehavior,
    editList: (list: ResolvedBehavior[], def: ResolvedBehavior) => ResolvedBehavior[]): void {
    const config = this.cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty;
    const originalDefault = this.originalDefault;
    const originalBehaviors = this.originalBehaviors;
    this.cfn.distributionConfig = {
      ...config,
      defaultCacheBehavior: Lazy.uncachedAny({
        produce: (ctx) => editDefault(ctx.resolve(originalDefault) as ResolvedBehavior),
      }) as unknown as cloudfront.CfnDistribution.DefaultCacheBehaviorProperty,
      cacheBehaviors: Lazy.uncachedAny({
        produce: (ctx) => editList((ctx.resolve(originalBehaviors) ?? []) as ResolvedBehavior[], ctx.resolve(originalDefault) as ResolvedBehavior),
      }),
    };
  }
}

/** Viewer-request associations that would conflict with ours, as error messages. */
export function findConflicts(behaviors: ResolvedBehavior[], isProtected: (pattern: string) => boolean): string[] {
  const errors: string[] = [];
  for (const b of behaviors) {
    const pattern = b.pathPattern === DEFAULT_BEHAVIOR ? DEFAULT_BEHAVIOR : normalizePattern(String(b.pathPattern));
    if (!isProtected(pattern)) continue;
    const name = pattern === DEFAULT_BEHAVIOR ? 'the default behavior (\'*\')' : `behavior '${b.pathPattern}'`;
    if ((b.lambdaFunctionAssociations ?? []).some((a) => a.eventType === 'viewer-request')) {
      errors.push(`CognitoEdgeAuth: ${name} already has a viewer-request Lambda@Edge function; a behavior has one per event type. ` +
        'Remove that edgeLambda, or leave the behavior out of protectedBehaviors');
    }
    if ((b.functionAssociations ?? []).some((a) => a.eventType === 'viewer-request' || a.eventType === 'viewer-response')) {
      errors.push(`CognitoEdgeAuth: ${name} has a CloudFront Function on a viewer event, and CloudFront does not combine CloudFront Functions with Lambda@Edge in viewer events. ` +
        'Remove that function association, or leave the behavior out of protectedBehaviors');
    }
  }
  return errors;
}

/**
 * The us-east-1 support stack that holds the edge functions of a stack in another region.
 *
 * Default: one per stack, id and name `<stack name>-edge-auth-us-east-1` (public contract: a
 * changed name would deploy a second stack and orphan the first), in the same stage, with the
 * stack's account, tags, termination protection, permissions boundary and synthesizer settings
 * (a `DefaultStackSynthesizer` or `CliCredentialsStackSynthesizer` with the same qualifier, roles
 * and buckets; a `LegacyStackSynthesizer` likewise). Only when another stack of the same name in
 * another account already has that support stack does the id carry the account.
 *
 * The user may instead name it (`edgeStackId`) or pass a us-east-1 stack of their own (`edgeStack`).
 */
import {
  CliCredentialsStackSynthesizer, DefaultStackSynthesizer, IStackSynthesizer,
  LegacyStackSynthesizer, PERMISSIONS_BOUNDARY_CONTEXT_KEY, PermissionsBoundary, Stack, Stage, Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from './errors';

const EDGE_REGION = 'us-east-1';

export interface SupportStackOptions {
  /** A us-east-1 stack of the user's to hold the function. */
  readonly edgeStack?: Stack;
  /** Id (and stack name) of the support stack the construct creates. */
  readonly edgeStackId?: string;
}

/** The us-east-1 stack that holds the edge function of `owner` (created on first use). */
export function supportStackOf(owner: Construct, options: SupportStackOptions): Stack {
  const stack = Stack.of(owner);
  if (options.edgeStack !== undefined) {
    return userStack(stack, options.edgeStack, options.edgeStackId);
  }
  const stage = Stage.of(owner);
  if (!stage) {
    throw new ValidationError('the stack must be part of a CDK app or stage (the edge function goes into a us-east-1 support stack)');
  }
  const id = options.edgeStackId ?? defaultId(stage, stack);
  if (options.edgeStackId !== undefined && (Token.isUnresolved(id) || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(id))) {
    throw new ValidationError(`edgeStackId must be a valid stack name (letters, digits and '-', starting with a letter, at most 128 characters), got ${JSON.stringify(id)}`);
  }
  const existing = stage.node.tryFindChild(id);
  if (existing !== undefined) {
    if (!Stack.isStack(existing) || existing.region !== EDGE_REGION || existing.account !== stack.account) {
      throw new ValidationError(`edgeStackId ${JSON.stringify(id)} is already used by a construct that is not a us-east-1 stack in account ${stack.account}; choose another id`);
    }
    dependOn(stack, existing);
    return existing;
  }
  const support = new Stack(stage, id, {
    env: { account: stack.account, region: EDGE_REGION },
    description: `Lambda@Edge functions of ${stack.stackName} (cdk-cognito-edge-auth)`,
    tags: stack.tags.tagValues(),
    terminationProtection: stack.terminationProtection,
    synthesizer: inheritedSynthesizer(stack.synthesizer),
    permissionsBoundary: inheritedPermissionsBoundary(stack),
  });
  dependOn(stack, support);
  return support;
}

/**
 * Today's id, `<stack name>-edge-auth-us-east-1`, unless a stack of the same name in another
 * account already owns it (two accounts, one stage): then the account goes into the id.
 */
function defaultId(stage: Stage, stack: Stack): string {
  if (Token.isUnresolved(stack.stackName)) {
    throw new ValidationError('the support stack is named after the stack, whose name is not known at synth (a NestedStack?): ' +
      'give edgeStackId, or pass a us-east-1 stack as edgeStack');
  }
  const id = `${stack.stackName.slice(0, 100)}-edge-auth-${EDGE_REGION}`;
  const existing = stage.node.tryFindChild(id);
  if (existing === undefined || (Stack.isStack(existing) && existing.account === stack.account)) return id;
  return `${stack.stackName.slice(0, 86)}-edge-auth-${stack.account}-${EDGE_REGION}`;
}

function userStack(stack: Stack, edgeStack: Stack, edgeStackId: string | undefined): Stack {
  if (edgeStackId !== undefined) {
    throw new ValidationError('edgeStack and edgeStackId exclude each other: edgeStackId names the support stack the construct creates');
  }
  if (edgeStack.region !== EDGE_REGION) {
    throw new ValidationError(`edgeStack must be in ${EDGE_REGION} (Lambda@Edge functions live there), got region ${JSON.stringify(edgeStack.region)}`);
  }
  if (edgeStack.account !== stack.account) {
    throw new ValidationError(`edgeStack must be in the stack's account ${stack.account}, got ${JSON.stringify(edgeStack.account)}`);
  }
  if (Stage.of(edgeStack) !== Stage.of(stack)) {
    throw new ValidationError('edgeStack must be in the same stage (or app) as the stack');
  }
  if (edgeStack !== stack) dependOn(stack, edgeStack);
  return edgeStack;
}

/**
 * The stack deploys after its support stack (construct-level dependency: Stack.addDependency is
 * deprecated on newer aws-cdk-lib, in favour of a method older versions do not have).
 */
function dependOn(stack: Stack, support: Stack): void {
  if (!stack.dependencies.includes(support)) stack.node.addDependency(support);
}

/**
 * A synthesizer for the support stack with the same settings as the stack's. A synthesizer
 * instance binds to one stack, so it is a new one with the same properties; `undefined` (the
 * app's default) for kinds that cannot be copied.
 */
function inheritedSynthesizer(synthesizer: IStackSynthesizer): IStackSynthesizer | undefined {
  const props = (synthesizer as unknown as { props?: object }).props;
  // exact classes only: a subclass (BootstraplessSynthesizer is one) may not take its props back
  if (synthesizer.constructor === DefaultStackSynthesizer) return new DefaultStackSynthesizer({ ...props });
  if (synthesizer.constructor === CliCredentialsStackSynthesizer) return new CliCredentialsStackSynthesizer({ ...props });
  if (synthesizer.constructor === LegacyStackSynthesizer) return new LegacyStackSynthesizer();
  return undefined;
}

/** The stack's own permissions boundary (one set on the stage or app reaches the support stack anyway). */
function inheritedPermissionsBoundary(stack: Stack): PermissionsBoundary | undefined {
  const own = stack.node.tryGetContext(PERMISSIONS_BOUNDARY_CONTEXT_KEY) as { name?: string; arn?: string } | undefined;
  if (own?.arn !== undefined) return PermissionsBoundary.fromArn(own.arn);
  if (own?.name !== undefined) return PermissionsBoundary.fromName(own.name);
  return undefined;
}

/**
 * A short hash of resources' CloudFormation properties, resolved in their own stack: a custom
 * resource that carries it runs again whenever one of them changes (also through an escape
 * hatch, an Aspect or a property override).
 */
import * as crypto from 'node:crypto';
import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';

/** Properties that do not change what the resource does. */
const IGNORED = new Set(['Tags', 'Description']);

/**
 * `sha256` (32 hex digits) of the rendered properties of `resources`, computed when the template
 * is written (after Aspects), each resolved in its own stack (so it can be used in another one).
 */
export function renderingFingerprint(resources: CfnResource[]): string {
  return Lazy.uncachedString({
    produce: () => {
      const rendered = resources.map((r) => {
        const stack = Stack.of(r);
        return { id: stack.resolve(r.logicalId), type: r.cfnResourceType, properties: renderedProperties(stack, r) };
      });
      return crypto.createHash('sha256').update(JSON.stringify(rendered)).digest('hex').slice(0, 32);
    },
  });
}

/** The resource's resolved properties as CfnResource renders them (with overrides), less {@link IGNORED}. */
function renderedProperties(stack: Stack, resource: CfnResource): Record<string, unknown> {
  const render = (resource as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
  let properties: Record<string, unknown>;
  if (typeof render === 'function') {
    const out = stack.resolve(render.call(resource)) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
    properties = Object.values(out.Resources ?? {})[0]?.Properties ?? {};
  } else {
    // should a future aws-cdk-lib not have _toCloudFormation: the L1's public properties
    properties = stack.resolve((resource as unknown as { cfnProperties: Record<string, unknown> }).cfnProperties ?? {});
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) if (!IGNORED.has(k)) out[k] = v;
  return out;
}

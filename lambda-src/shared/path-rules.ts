/**
 * Group rules as plain functions over a path, for both runtimes (Node.js and the CloudFront
 * Functions JavaScript runtime 2.0, which documents neither classes nor the RegExp `s` flag).
 *
 * Same semantics as the Lambda@Edge handler's `Authorizer` and `compilePathPattern`
 * (lambda-src/edge-auth): CloudFront-style patterns (`*` any run of characters, `?` one
 * character, anchored), the first matching rule decides the required groups, a path matching no
 * rule falls back to `requiredGroups`, an empty list lets any signed-in user through, otherwise
 * the user needs at least one of the groups. A test checks both implementations agree.
 *
 * The path given here must already be canonical (design §4.9).
 */

/** One rule, compiled. */
export interface CompiledPathRule {
  readonly pattern: RegExp;
  readonly groups: readonly string[];
}

/** Compile a CloudFront-style path pattern into an anchored RegExp (`[\s\S]` instead of the `s` flag). */
export function compilePattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp('^' + body + '$');
}

/** Compile `{ pathPattern, requiredGroups }` rules, keeping their order. */
export function compileRules(rules: ReadonlyArray<{ readonly pathPattern: string; readonly requiredGroups: readonly string[] }>): CompiledPathRule[] {
  const out: CompiledPathRule[] = [];
  for (let i = 0; i < rules.length; i++) out.push({ pattern: compilePattern(rules[i].pathPattern), groups: rules[i].requiredGroups });
  return out;
}

/** Groups required for `path`: the first matching rule's, else `fallback` (empty: any signed-in user). */
export function requiredGroupsFor(rules: readonly CompiledPathRule[], fallback: readonly string[], path: string): readonly string[] {
  for (let i = 0; i < rules.length; i++) if (rules[i].pattern.test(path)) return rules[i].groups;
  return fallback;
}

/** Does a user with `groups` satisfy `required` (empty, or any one of them)? */
export function satisfies(groups: readonly string[], required: readonly string[]): boolean {
  if (required.length === 0) return true;
  for (let i = 0; i < required.length; i++) if (groups.indexOf(required[i]) >= 0) return true;
  return false;
}

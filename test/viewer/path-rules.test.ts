/**
 * The runtime-neutral group rules (lambda-src/shared/path-rules.ts) decide exactly as the
 * Lambda@Edge handler's Authorizer and compilePathPattern do, over arbitrary paths, patterns and
 * groups (differential test).
 */
import fc from 'fast-check';
import { Authorizer } from '../../lambda-src/edge-auth/authorization';
import { compilePathPattern } from '../../lambda-src/edge-auth/config';
import { compilePattern, compileRules, requiredGroupsFor, satisfies } from '../../lambda-src/shared/path-rules';

const segment = fc.oneof(fc.constantFrom('admin', 'a', 'docs', 'x.pdf', '*', '?', '**', '.', '..', '%2F', '(x)', '[a]', '$', '^', '+', '\\', '\n'), fc.string({ maxLength: 6 }));
const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
const path = fc.oneof(pattern.map((p) => p.replace(/[*?]/g, 'z')), fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`), fc.string({ maxLength: 20 }));
const groupName = fc.constantFrom('admins', 'staff', 'finance', 'x', '');
const groups = fc.array(groupName, { maxLength: 3 });

test('compilePattern matches exactly what compilePathPattern matches', () => {
  fc.assert(fc.property(pattern, fc.array(path, { minLength: 1, maxLength: 5 }), (p, paths) => {
    const ours = compilePattern(p);
    const theirs = compilePathPattern(p);
    for (const candidate of [...paths, p, p.replace(/\*/g, ''), p.replace(/[*?]/g, '\n')]) {
      expect(ours.test(candidate)).toBe(theirs.test(candidate));
    }
  }), { numRuns: 500 });
});

test('requiredGroupsFor + satisfies decide as Authorizer.isAllowed', () => {
  const rule = fc.record({ pathPattern: pattern, requiredGroups: groups });
  const input = fc.tuple(fc.array(rule, { maxLength: 4 }), fc.option(groups, { nil: undefined }), groups, path);
  fc.assert(fc.property(input, ([pathRules, requiredGroups, userGroups, candidate]) => {
    const compiledForEdge = pathRules.map((r) => ({ pattern: compilePathPattern(r.pathPattern), requiredGroups: r.requiredGroups }));
    const authorizer = new Authorizer({ pathRules: compiledForEdge, requiredGroups });
    const compiled = compileRules(pathRules);
    const required = requiredGroupsFor(compiled, requiredGroups ?? [], candidate);
    expect(required).toEqual(authorizer.requiredGroupsFor(candidate));
    const identity = { sub: 's', username: 'u', groups: userGroups, exp: 0 } as unknown as Parameters<Authorizer['isAllowed']>[0];
    expect(satisfies(userGroups, required)).toBe(authorizer.isAllowed(identity, candidate));
  }), { numRuns: 500 });
});

test('examples: first match wins, fallback, empty list, any-of', () => {
  const rules = compileRules([{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/admin/open', requiredGroups: [] }, { pathPattern: '/f?le', requiredGroups: ['x'] }]);
  expect(requiredGroupsFor(rules, ['staff'], '/admin/open')).toEqual(['admins']);
  expect(requiredGroupsFor(rules, ['staff'], '/file')).toEqual(['x']);
  expect(requiredGroupsFor(rules, ['staff'], '/fiile')).toEqual(['staff']);
  expect(satisfies([], [])).toBe(true);
  expect(satisfies(['a'], ['b', 'a'])).toBe(true);
  expect(satisfies(['a'], ['b'])).toBe(false);
});

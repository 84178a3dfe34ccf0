/**
 * One path, one decision (design §4.9), as properties (fast-check): for arbitrary rule sets, every
 * spelling of a path that an origin may resolve to the same object gets the same decision: allowed
 * with the requirement of the canonical path, denied, or (path rules configured, spelling not
 * canonical) a redirect to the canonical URL or a 400, never a forward.
 *
 * Spellings are generated from a canonical path the ways origins read paths: escapes of raw
 * characters (any hex case; S3 decodes them, `%2F` included), `\`, `%5C` and `%2F` for `/` (IIS,
 * S3), doubled slashes, `./` and `x/../` segments, also escaped (nginx, Apache).
 */
import fc from 'fast-check';
import { asResponse, baseConfig, cfEvent, COOKIE_PREFIX, DIST_DOMAIN, idToken, isResponse, location } from './helpers';
import { canonicalPath } from '../../lambda-src/edge-auth/canonical-path';
import { createHandler } from '../../lambda-src/edge-auth/handler';

const GROUPS = ['g1', 'g2', 'g3'];
/** Raw units of a canonical segment (characters written as is, and escapes that stay escaped). */
const RAW_UNITS = ['a', 'b', 'Z', '0', '9', '-', '_', '~', '.', '!', '$', '&', "'", '(', ')', '*', '+', ',', '=', ':', '@'];
const KEPT_ESCAPES = ['%20', '%C3%A9', '%22', '%3F', '%23', '%E2%82%AC'];
const WORDS = ['admin', 'public', 'docs', 'x.html', 'index.html', 'v1.2', 'Admin', 'my%20file', 'caf%C3%A9'];

const segment = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.array(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...RAW_UNITS) }, { weight: 1, arbitrary: fc.constantFrom(...KEPT_ESCAPES) }),
    { minLength: 1, maxLength: 6 },
  ).map((units) => units.join(''))
    .filter((s) => s !== '.' && s !== '..'),
);

/** A canonical path: segments, optionally a trailing slash. */
const canonical = fc.tuple(fc.array(segment, { minLength: 0, maxLength: 4 }), fc.boolean())
  .map(([segs, trailing]) => (segs.length === 0 ? '/' : `/${segs.join('/')}${trailing ? '/' : ''}`));

type Edit = { kind: 'encode' | 'separator' | 'dot' | 'dotdot'; at: number; variant: number; upper: boolean };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom<Edit['kind']>('encode', 'separator', 'dot', 'dotdot'),
  at: fc.nat(),
  variant: fc.nat({ max: 5 }),
  upper: fc.boolean(),
});

const hex = (code: number, upper: boolean): string => {
  const h = code.toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h.toLowerCase()}`;
};

/**
 * Apply one origin-equivalent edit to a spelling. Positions are taken modulo the candidates, and
 * only outside escapes (an escaped `%` would be another object).
 */
function applyEdit(path: string, e: Edit): string {
  // Indices of characters that are not part of an escape, after the leading '/'.
  const raw: number[] = [];
  for (let i = 1; i < path.length; i++) {
    if (path[i] === '%') i += 2;
    else raw.push(i);
  }
  const slashes = [0, ...raw.filter((i) => path[i] === '/')];
  switch (e.kind) {
    case 'encode': {
      if (raw.length === 0) return path;
      const i = raw[e.at % raw.length];
      // A '/' may be written %2F or %5C; anything else as its own escape.
      const code = path[i] === '/' && e.variant % 2 === 1 ? 0x5c : path.charCodeAt(i);
      return path.slice(0, i) + hex(code, e.upper) + path.slice(i + 1);
    }
    case 'separator': {
      const i = slashes[e.at % slashes.length];
      const extra = ['/', '/', '\\', hex(0x5c, e.upper), hex(0x2f, e.upper), '//'][e.variant];
      // Insert an extra separator after this '/' (never in front of the leading one).
      return path.slice(0, i + 1) + extra + path.slice(i + 1);
    }
    case 'dot': {
      const i = slashes[e.at % slashes.length];
      const dot = ['./', '.\\', `${hex(0x2e, e.upper)}/`, '.%2F', './', './'][e.variant];
      return path.slice(0, i + 1) + dot + path.slice(i + 1);
    }
    case 'dotdot': {
      const i = slashes[e.at % slashes.length];
      const up = ['x/../', 'admin/../', `public/${hex(0x2e, e.upper)}${hex(0x2e, e.upper)}/`, 'a/.%2e/', 'b\\..\\', 'q/./../'][e.variant];
      return path.slice(0, i + 1) + up + path.slice(i + 1);
    }
  }
}

/** A rule pattern: a prefix of the path's segments with `*`, or a word pattern with `*`/`?`. */
function patternArb(path: string): fc.Arbitrary<string> {
  const segs = path.split('/').slice(1);
  return fc.oneof(
    // (after a trailing '/' this would write '//', which the contract refuses: no canonical path has it)
    fc.nat({ max: segs.length }).map((k) => `/${segs.slice(0, k).join('/')}${k > 0 ? '/' : ''}*`).filter((p) => !p.includes('//')),
    fc.nat({ max: segs.length }).map((k) => `/${segs.slice(0, k).join('/')}`),
    fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom('*', '/*', '?*', '')).map(([w, tail]) => `/${w}${tail}`),
    fc.constantFrom('*', '/*', '/a*', '*.html', '/docs/*'),
  );
}

/** CloudFront-style pattern match, written independently of the handler's compiler. */
function globMatch(pattern: string, text: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (p: number, t: number): boolean => {
    const key = `${p},${t}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let out: boolean;
    if (p === pattern.length) out = t === text.length;
    else if (pattern[p] === '*') out = go(p + 1, t) || (t < text.length && go(p, t + 1));
    else out = t < text.length && (pattern[p] === '?' || pattern[p] === text[t]) && go(p + 1, t + 1);
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}

interface Rules {
  requiredGroups?: string[];
  pathRules: Array<{ pathPattern: string; requiredGroups: string[] }>;
}

function required(rules: Rules, path: string): string[] {
  const rule = rules.pathRules.find((r) => globMatch(r.pathPattern, path));
  return rule ? rule.requiredGroups : rules.requiredGroups ?? [];
}

const groupSet = fc.subarray(GROUPS);
const tokens = new Map<string, string>();
function tokenFor(groups: string[]): string {
  const key = groups.join(',');
  let t = tokens.get(key);
  if (t === undefined) {
    t = idToken({ 'cognito:groups': groups });
    tokens.set(key, t);
  }
  return t;
}

const scenario = canonical.chain((path) => fc.record({
  path: fc.constant(path),
  edits: fc.array(edit, { minLength: 0, maxLength: 4 }),
  rules: fc.record({
    requiredGroups: fc.option(groupSet, { nil: undefined }),
    pathRules: fc.array(fc.record({ pathPattern: patternArb(path), requiredGroups: groupSet }), { maxLength: 4 }),
  }),
  user: groupSet,
  navigation: fc.boolean(),
  method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST'),
  querystring: fc.constantFrom('', 'a=1', 'next=%2Fx&b=%20'),
}));

describe('every spelling of a path gets the decision of its canonical form', () => {
  test('spellings generated from a canonical path canonicalize back to it', () => {
    fc.assert(fc.property(canonical, fc.array(edit, { maxLength: 6 }), (path, edits) => {
      expect(canonicalPath(path)).toBe(path);
      const spelling = edits.reduce(applyEdit, path);
      expect(canonicalPath(spelling)).toBe(path);
    }), { numRuns: 2000 });
  });

  test('for arbitrary rule sets and users: same allow/deny as the canonical path, or a redirect to it / a 400, never a forward', async () => {
    await fc.assert(fc.asyncProperty(scenario, async (sc) => {
      const spelling = sc.edits.reduce(applyEdit, sc.path);
      const handler = createHandler(baseConfig({ ...sc.rules }), { fetch: async () => { throw new TypeError('no network'); }, log: () => undefined });
      const event = cfEvent({ uri: spelling, querystring: sc.querystring, method: sc.method, navigation: sc.navigation, cookies: [`${COOKIE_PREFIX}id=${tokenFor(sc.user)}`] });
      const navigation = sc.navigation && sc.method !== 'POST';
      const result = await handler(event);

      const need = required(sc.rules, sc.path);
      const allowed = need.length === 0 || need.some((g) => sc.user.includes(g));
      const hasRules = sc.rules.pathRules.length > 0;

      if (!isResponse(result)) {
        // forwarded: only as sent, only when the canonical path allows this user, and with path
        // rules only when the spelling is the canonical form itself
        expect(allowed).toBe(true);
        expect(result.uri).toBe(spelling);
        if (hasRules) expect(spelling).toBe(sc.path);
        return;
      }
      const r = asResponse(result);
      switch (r.status) {
        case '403':
          expect(allowed).toBe(false);
          break;
        case '302':
          expect(hasRules && spelling !== sc.path && navigation).toBe(true);
          expect(location(r)).toBe(`https://${DIST_DOMAIN}${sc.path}${sc.querystring ? `?${sc.querystring}` : ''}`);
          break;
        case '400':
          expect(hasRules && spelling !== sc.path).toBe(true);
          break;
        default:
          throw new Error(`unexpected ${r.status} for ${spelling}`);
      }
      if (spelling === sc.path || !hasRules) expect(r.status).toBe(allowed ? 'none' : '403');
    }), { numRuns: 500 });
  });

  test('arbitrary strings: no canonical form, or one that is its own, with no //, dot segments or backslash', () => {
    const pathChars = fc.constantFrom(...'/\\.%2fF5cCe;aZ09-_~!'.split(''), '%2e', '%2F', '%5c', '%25', '%00', '%C3%A9', '%ZZ', ' ', 'é');
    fc.assert(fc.property(fc.array(pathChars, { maxLength: 24 }).map((cs) => `/${cs.join('')}`), (path) => {
      const c = canonicalPath(path);
      if (c === undefined) return;
      expect(canonicalPath(c)).toBe(c);
      expect(c.startsWith('/')).toBe(true);
      expect(c).not.toMatch(/\/\/|\/\.\.?(\/|$)|\\|%2F|%5C|%2E|%25[0-9A-F]{2}|;/i);
      // every escape that stays is upper-case
      for (const m of c.matchAll(/%(..)/g)) expect(m[1]).toBe(m[1].toUpperCase());
    }), { numRuns: 3000 });
  });
});

/**
 * Differential property (issue #13 part 6): for every request with a valid session, the viewer
 * function (the built code in the runtime-2.0 sandbox) and the Lambda@Edge handler (createHandler
 * with a verified id token) decide the same, over arbitrary paths (canonical or not), user groups,
 * path rules, required groups and public paths. "The same" is: let through with the same path and
 * the same identity header, 403, 302 to the same canonical spelling, or 400.
 *
 * Paths under the auth prefix are left out: there the two modes differ by design (the auth
 * behaviour answers them in session mode; the viewer function answers 500 if it ever sees one).
 */
import fc from 'fast-check';
import { cfEvent as viewerEvent, CURRENT_KEY, CURRENT_KID, isAnswer, STORE, viewerCode } from './helpers';
import { createHandler, IDENTITY_HEADER } from '../../lambda-src/edge-auth/handler';
import { mintSessionCookie, rulesHash, sessionGroups, SessionRules } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig } from '../../lambda-src/shared/viewer-config';
import { pathPatternProblem, publicPathProblem } from '../../src/private/config-rules';
import { baseConfig, cfEvent as edgeEvent, COOKIE_PREFIX, DIST_DOMAIN, idToken, isResponse, Result } from '../edge/helpers';
import { loadCloudFrontFunction } from '../support/cloudfront-functions-sandbox';

const GROUPS = ['g1', 'g2', 'g3'];
const segment = fc.constantFrom('a', 'b', 'admin', 'x.pdf', '*', '*.pdf', 'a?', 'docs');
const pattern = fc.array(segment, { minLength: 1, maxLength: 3 })
  .chain((s) => fc.boolean().map((slashStar) => `/${s.join('/')}${slashStar ? '/*' : ''}`));
const rules = fc.record({
  requiredGroups: fc.subarray(GROUPS, { maxLength: 2 }),
  pathRules: fc.array(fc.record({
    pathPattern: pattern.filter((p) => pathPatternProblem(p) === undefined),
    requiredGroups: fc.subarray(GROUPS, { maxLength: 2 }),
  }), { maxLength: 4 }),
  publicPaths: fc.array(pattern.filter((p) => publicPathProblem(p) === undefined), { maxLength: 2 }),
});
/** Paths built from segments that origins read in different ways (dot segments, escapes, `\`, `;`, `//`). */
const path = fc.tuple(
  fc.array(fc.constantFrom('a', 'b', 'admin', 'docs', 'x.pdf', 'A', '.', '..', '', '%2e%2e', '%2F', '%61', '%61dmin', 'a;b', '\\', 'r%20s', '%zz', 'x%2Fy'), { minLength: 1, maxLength: 5 }),
  fc.boolean(),
).map(([s, slash]) => `/${s.join('/')}${slash ? '/' : ''}`);
const request = fc.record({
  path,
  nav: fc.boolean(),
  query: fc.constantFrom('', 'q=1', 'a=1&b=two'),
  userGroups: fc.subarray([...GROUPS, 'other'], { maxLength: 3 }),
});

type Decision = string;
const EDGE_ORIGIN = `https://${DIST_DOMAIN}`;

function edgeDecision(r: Result): Decision {
  if (!isResponse(r)) return `allow ${r.uri} ${r.headers[IDENTITY_HEADER]?.[0]?.value ?? '-'}`;
  const location = r.headers?.location?.[0]?.value;
  if (r.status === '302' && location !== undefined && location.startsWith(`${EDGE_ORIGIN}/`)) return `302 ${location.slice(EDGE_ORIGIN.length)}`;
  return `${r.status}${location !== undefined ? ` ${location}` : ''}`;
}

function viewerDecision(r: unknown): Decision {
  if (!isAnswer(r)) {
    const req = r as { uri: string; headers: Record<string, { value: string } | undefined> };
    return `allow ${req.uri} ${req.headers[IDENTITY_HEADER]?.value ?? '-'}`;
  }
  const location = r.headers.location?.value;
  return `${r.statusCode}${location !== undefined ? ` ${location}` : ''}`;
}

function queryMap(query: string): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {};
  for (const pair of query === '' ? [] : query.split('&')) {
    const [name, value] = pair.split('=');
    out[name] = { value };
  }
  return out;
}

test('with a valid session, the viewer function decides as the Lambda@Edge handler does', async () => {
  const code = await viewerCode();
  const seen = new Map<string, number>();
  await fc.assert(fc.asyncProperty(rules, fc.array(request, { minLength: 1, maxLength: 4 }), async (set, requests) => {
    const sessionRules: SessionRules = { requiredGroups: set.requiredGroups, pathRules: set.pathRules };
    const edge = createHandler(baseConfig({ ...set }), { fetch: async () => { throw new TypeError('no network'); }, log: () => undefined });
    const fn = await loadCloudFrontFunction(injectViewerConfig(code, buildViewerConfig({ ...set })), { store: STORE });
    for (const r of requests) {
      const nowMs = Date.now();
      const now = Math.floor(nowMs / 1000);
      const token = idToken({ 'cognito:groups': r.userGroups, 'cognito:username': 'alice' });
      const session = mintSessionCookie(
        { sub: 'sub-1', username: 'alice', groups: sessionGroups(r.userGroups, sessionRules), exp: now + 3600 },
        { kid: CURRENT_KID, key: CURRENT_KEY, rulesHash: rulesHash(sessionRules), now },
      );
      const fromEdge = edgeDecision(await edge(edgeEvent({
        uri: r.path,
        querystring: r.query,
        navigation: r.nav,
        headers: r.nav ? {} : { 'Sec-Fetch-Mode': 'cors', 'Accept': 'application/json' },
        cookies: [`${COOKIE_PREFIX}id=${token}; theme=dark`],
      })));
      const fromViewer = viewerDecision(await fn.invoke(viewerEvent({ uri: r.path, querystring: queryMap(r.query), nav: r.nav, session }), nowMs));
      expect({ path: r.path, nav: r.nav, decision: fromViewer }).toEqual({ path: r.path, nav: r.nav, decision: fromEdge });
      const kind = fromEdge.split(' ')[0];
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
  }), { numRuns: 150 });
  // Every kind of decision was compared, not only allows.
  expect([...seen.keys()].sort()).toEqual(['302', '400', '403', 'allow']);
}, 180_000);


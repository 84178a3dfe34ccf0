/**
 * The two deployables, laid out in a scratch directory exactly as they would be zipped for
 * Lambda@Edge (index.js + config.json), and each side's cookie layout.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, BuildOptions } from 'esbuild';
import { CookieLayout, TokenCookies } from './events';
import { CLIENT_ID, Jwks, REGION, USER_POOL_ID, USERNAME } from './jwt';
import { EDGE_AUTH_BUILD } from '../../scripts/bundle';

export const REPO = join(__dirname, '..', '..');
export const OURS_BUNDLE = join(REPO, 'assets', 'edge-auth', 'index.js');

/**
 * Ours: cookie names from lambda-src/edge-auth/cookies.ts with the default `cookies` settings:
 * `__Host-CognitoEdgeAuth-id` and `-refresh` (the access token is not stored at the edge).
 */
export const OURS_COOKIE_BASE = '__Host-CognitoEdgeAuth';
export const oursCookies: CookieLayout = (t: TokenCookies) => {
  const parts: string[] = [];
  if (t.id !== undefined) parts.push(`${OURS_COOKIE_BASE}-id=${t.id}`);
  if (t.refresh !== undefined) parts.push(`${OURS_COOKIE_BASE}-refresh=${t.refresh}`);
  return parts.length ? parts.join('; ') : undefined;
};

/** cognito-at-edge: `CognitoIdentityServiceProvider.<clientId>.<username>.<token>` (dist/index.js `_getRedirectResponse`). */
const THEIRS_BASE = `CognitoIdentityServiceProvider.${CLIENT_ID}`;
export const theirsCookies: CookieLayout = (t: TokenCookies) => {
  const user = `${THEIRS_BASE}.${USERNAME}`;
  const parts: string[] = [];
  if (t.access !== undefined) parts.push(`${user}.accessToken=${t.access}`);
  if (t.id !== undefined) parts.push(`${user}.idToken=${t.id}`);
  if (t.refresh !== undefined) parts.push(`${user}.refreshToken=${t.refresh}`);
  if (parts.length) {
    // What its login response also sets, and so what the browser sends back.
    parts.push(`${user}.tokenScopesString=phone%20email%20profile%20openid%20aws.cognito.signin.user.admin`);
    parts.push(`${THEIRS_BASE}.LastAuthUser=${USERNAME}`);
  }
  return parts.length ? parts.join('; ') : undefined;
};

export interface Deployables {
  ours: string;
  /** Ours, built from lambda-src with the bundle task's settings minus identifier minification (for readable profiles). */
  oursProfile: string;
  theirs: string;
  theirsCsrf: string;
}

export interface SideSettings {
  jwks: Jwks;
  /** Token endpoint origin (https://127.0.0.1:PORT). */
  tokenOrigin: string;
  stateSecret: string;
  nonceSigningSecret: string;
}

/** Ours' config.json, as the construct writes it (design §3 / lambda-src/shared/edge-config.ts). */
export function oursConfig(s: SideSettings): Record<string, unknown> {
  return { userPoolId: USER_POOL_ID, clientId: CLIENT_ID, authDomain: s.tokenOrigin, jwks: s.jwks, stateSecret: s.stateSecret };
}

function theirsConfig(s: SideSettings, csrf: boolean): Record<string, unknown> {
  return {
    region: REGION,
    userPoolId: USER_POOL_ID,
    userPoolAppId: CLIENT_ID,
    userPoolDomain: new URL(s.tokenOrigin).host,
    jwks: s.jwks,
    ...(csrf ? { nonceSigningSecret: s.nonceSigningSecret } : {}),
  };
}

const ESBUILD_COMMON = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', legalComments: 'none', logLevel: 'error' } as const;

/** The bundle task's esbuild settings (scripts/bundle.ts), for building ours from source. */
export const OURS_BUILD: BuildOptions = { ...EDGE_AUTH_BUILD, minify: true, logLevel: 'error' };

/**
 * @param oursFromSource bundle lambda-src/edge-auth into the scratch directory (the bundle task's
 *   settings) instead of copying assets/edge-auth/index.js (for trying uncommitted handler work)
 */
export async function buildDeployables(scratch: string, s: SideSettings, oursFromSource = false): Promise<Deployables> {
  const d: Deployables = {
    ours: join(scratch, 'ours'),
    oursProfile: join(scratch, 'ours-profile'),
    theirs: join(scratch, 'theirs'),
    theirsCsrf: join(scratch, 'theirs-csrf'),
  };
  for (const dir of Object.values(d)) mkdirSync(dir, { recursive: true });

  if (oursFromSource) {
    await build({ ...OURS_BUILD, outfile: join(d.ours, 'index.js') });
  } else {
    copyFileSync(OURS_BUNDLE, join(d.ours, 'index.js'));
  }
  writeFileSync(join(d.ours, 'config.json'), JSON.stringify(oursConfig(s)));

  await build({
    ...EDGE_AUTH_BUILD,
    logLevel: 'error',
    minifySyntax: true,
    minifyWhitespace: true,
    outfile: join(d.oursProfile, 'index.js'),
  });
  writeFileSync(join(d.oursProfile, 'config.json'), JSON.stringify(oursConfig(s)));

  await build({
    ...ESBUILD_COMMON,
    entryPoints: [join(__dirname, '..', 'theirs', 'index.ts')],
    minify: true,
    outfile: join(d.theirs, 'index.js'),
  });
  writeFileSync(join(d.theirs, 'config.json'), JSON.stringify(theirsConfig(s, false)));
  copyFileSync(join(d.theirs, 'index.js'), join(d.theirsCsrf, 'index.js'));
  writeFileSync(join(d.theirsCsrf, 'config.json'), JSON.stringify(theirsConfig(s, true)));
  return d;
}

/** The bench's child scripts, bundled to plain JS so that a child process loads nothing but node. */
export async function buildChildren(scratch: string): Promise<{ cold: string; warm: string }> {
  const out = { cold: join(scratch, 'cold.js'), warm: join(scratch, 'warm.js') };
  await build({ ...ESBUILD_COMMON, entryPoints: [join(__dirname, '..', 'child', 'cold.ts')], outfile: out.cold });
  await build({ ...ESBUILD_COMMON, entryPoints: [join(__dirname, '..', 'child', 'warm.ts')], outfile: out.warm });
  return out;
}

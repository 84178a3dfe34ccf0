/**
 * What a cognito-at-edge user deploys: a viewer-request handler around `Authenticator`, bundled
 * with esbuild (minified, node20, cjs, dependencies included). Settings come from `config.json`
 * beside the bundle, like ours. Its JWKS is pre-loaded into the aws-jwt-verify cache so that it
 * never fetches (in production it would fetch the JWKS on the first request of each instance).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authenticator } from 'cognito-at-edge';

interface TheirsConfig {
  region: string;
  userPoolId: string;
  userPoolAppId: string;
  userPoolDomain: string;
  jwks: { keys: Array<Record<string, unknown>> };
  /** When set, the optional CSRF protection (nonce + PKCE cookies, HMAC-signed nonce) is on. */
  nonceSigningSecret?: string;
}

const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8')) as TheirsConfig;

const authenticator = new Authenticator({
  region: config.region,
  userPoolId: config.userPoolId,
  userPoolAppId: config.userPoolAppId,
  userPoolDomain: config.userPoolDomain,
  logLevel: 'silent',
  ...(config.nonceSigningSecret ? { csrfProtection: { nonceSigningSecret: config.nonceSigningSecret } } : {}),
});
(authenticator as unknown as { _jwtVerifier: { cacheJwks(jwks: unknown): void } })._jwtVerifier.cacheJwks(config.jwks);

export const handler = (event: Parameters<Authenticator['handle']>[0]): ReturnType<Authenticator['handle']> => authenticator.handle(event);

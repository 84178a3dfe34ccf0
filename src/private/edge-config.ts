/**
 * What the config injector writes into one CognitoEdgeAuth's function at deploy time: the handler
 * bundle, the key that signs the OAuth state, and the settings of `config.json` besides the
 * Cognito ids and the values read at deploy time (see lambda-src/shared/edge-config.ts).
 *
 * Construct ids (`EdgeBundle`, `StateSecret`) are public contract.
 */
import { Lazy } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { resolveGroupsClaim, resolvePublicPaths } from './access';
import { assetDir } from './asset-paths';
import { acknowledge, NAG_REASONS } from './nag';
import { dropUndefined, Settings } from './settings';
import { CognitoEdgeAuthProps, LogLevel } from '../cognito-edge-auth-props';

/**
 * The edge handler's bundle (`index.js`; `config.json` is added at deploy time). Session mode's
 * config.json needs the build with session mode (assets/edge-auth-session); Lambda@Edge mode gets
 * the build without it (assets/edge-auth), which refuses a `session` field at load.
 */
export function createEdgeBundle(scope: Construct, sessionMode: boolean): s3assets.Asset {
  return new s3assets.Asset(scope, 'EdgeBundle', {
    path: assetDir(sessionMode ? 'edge-auth-session' : 'edge-auth'),
    exclude: ['*', '!index.js'], // config.json is added at deploy time
  });
}

/** The Secrets Manager secret whose value signs the OAuth state. */
export function createStateSecret(scope: Construct): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'StateSecret', { // id: public contract
    description: `Key that signs the OAuth state of ${scope.node.path} (cdk-cognito-edge-auth)`,
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
  });
  acknowledge(secret, [{ rule: 'AwsSolutions-SMG4', reason: NAG_REASONS.stateSecret }]);
  return secret;
}

/** The settings of `config.json` that synth knows; `aliases` is read when the template is written (addDistribution may add hosts). */
export function edgeConfigOf(props: CognitoEdgeAuthProps, settings: Settings, aliases: () => string[] | undefined) {
  return dropUndefined({
    identityProvider: props.identityProvider,
    callbackPath: settings.callbackPath,
    signOutPath: settings.signOutPath,
    signOutLandingPath: settings.signOutRedirectPath,
    scopes: settings.scopes,
    requiredGroups: props.requiredGroups,
    pathRules: props.pathAuthorizations?.map((r) => ({ pathPattern: r.pathPattern, requiredGroups: r.requiredGroups })),
    aliases: Lazy.any({ produce: aliases }),
    cookies: settings.cookies,
    forwardAuthCookies: props.forwardAuthCookies ?? false,
    logLevel: props.logLevel ?? LogLevel.WARN,
    refreshTokenValiditySeconds: props.refreshTokenValidity?.toSeconds(),
    publicPaths: resolvePublicPaths(props.publicPaths),
    groupsClaim: resolveGroupsClaim(props.groupsClaim),
  });
}

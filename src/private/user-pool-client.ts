/**
 * What the construct reads from the Cognito resources it is given: synth-time checks of a client
 * defined in the app, the client's fingerprint, and the hosted-UI base URL of the domain.
 */
import * as crypto from 'node:crypto';
import { Annotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { clientRendering } from './client-rendering';
import { ValidationError, WarningId } from './errors';
import { userPoolRegion } from './user-pool-region';
import { validateAuthDomain } from './validate';

/**
 * Checks of a client defined in this app (an imported one is checked at deploy time): the code
 * grant now, the scopes and the identity provider when the app is complete.
 */
export function validateClient(scope: Construct, client: cognito.IUserPoolClient, scopes: string[], identityProvider: string | undefined): void {
  const cfn = client.node.defaultChild;
  if (!(cfn instanceof cognito.CfnUserPoolClient)) return;
  const stack = Stack.of(cfn);
  const flows = stack.resolve(cfn.allowedOAuthFlows);
  const enabled = stack.resolve(cfn.allowedOAuthFlowsUserPoolClient);
  if (Array.isArray(flows) && flows.every((f) => typeof f === 'string') && (!flows.includes('code') || enabled === false)) {
    throw new ValidationError(`userPoolClient must allow the OAuth authorization code grant (its flows: ${JSON.stringify(flows)}); ` +
      'turn on authorizationCodeGrant (authorization_code_grant in Python) in the flows of the client\'s oAuth settings');
  }
  if (flows === undefined && (enabled === undefined || enabled === false)) {
    throw new ValidationError('userPoolClient has OAuth disabled; drop disableOAuth and turn on authorizationCodeGrant (authorization_code_grant in Python) in the flows of the client\'s oAuth settings');
  }
  scope.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      const allowed = stack.resolve(cfn.allowedOAuthScopes);
      if (Array.isArray(allowed) && allowed.every((s) => typeof s === 'string')) {
        const missing = scopes.filter((s) => !Token.isUnresolved(s) && !allowed.includes(s));
        if (missing.length > 0) {
          errors.push(`CognitoEdgeAuth: oauthScopes asks for ${missing.join(', ')}, which userPoolClient does not allow (it allows ${allowed.join(', ')}); ` +
            'add them to the client\'s oAuth.scopes or remove them from oauthScopes');
        }
      }
      const idps = stack.resolve(cfn.supportedIdentityProviders);
      if (identityProvider !== undefined && Array.isArray(idps) && idps.length > 0 && idps.every((p) => typeof p === 'string') && !idps.includes(identityProvider)) {
        errors.push(`CognitoEdgeAuth: identityProvider ${JSON.stringify(identityProvider)} is not a supported identity provider of userPoolClient (${idps.join(', ')}); ` +
          'add it to the client\'s supportedIdentityProviders or fix the name');
      }
      return errors;
    },
  });
}

/**
 * For a client defined in this app: a hash of its rendered CloudFormation, so that when the
 * client changes (CloudFormation then resets the URLs we added), our resources run again.
 */
export function fingerprintOf(client: cognito.IUserPoolClient): string | undefined {
  const cfn = client.node.defaultChild;
  if (!(cfn instanceof cognito.CfnUserPoolClient)) return undefined;
  return Lazy.uncachedString({
    produce: (ctx) => crypto.createHash('sha256').update(JSON.stringify(ctx.resolve(clientRendering(cfn)))).digest('hex').slice(0, 32),
  });
}

/** `https://...` base URL of the hosted UI (checked when it is known at synth). */
export function authDomainOf(scope: Construct, domain: cognito.IUserPoolDomain, pool: cognito.IUserPool): string {
  if (domain instanceof cognito.UserPoolDomain) return domain.baseUrl();
  const name = domain.domainName;
  if (Token.isUnresolved(name)) {
    Annotations.of(scope).addWarningV2(WarningId.userPoolDomain,
      'userPoolDomain: the imported domain name is a token, taken as a Cognito prefix domain; import a custom domain by its literal name');
  } else if (name.includes('.')) {
    return validateAuthDomain(`https://${name}`);
  }
  return validateAuthDomain(`https://${name}.auth.${userPoolRegion(pool)}.amazoncognito.com`);
}

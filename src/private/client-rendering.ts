/**
 * What CloudFormation will set on a user pool client defined in the app, for the client
 * fingerprint (a change re-runs the construct's custom resources).
 */
import * as cognito from 'aws-cdk-lib/aws-cognito';

/**
 * The client as CfnResource renders it (`_toCloudFormation()`, which includes property
 * overrides); should a future aws-cdk-lib not have that method, the L1's public properties.
 * The result may hold tokens: resolve it in the stack.
 */
export function clientRendering(cfn: cognito.CfnUserPoolClient): unknown {
  const render = (cfn as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
  return typeof render === 'function' ? render.call(cfn) : publicClientProperties(cfn);
}

function publicClientProperties(cfn: cognito.CfnUserPoolClient): Record<string, unknown> {
  return {
    userPoolId: cfn.userPoolId,
    clientName: cfn.clientName,
    generateSecret: cfn.generateSecret,
    allowedOAuthFlows: cfn.allowedOAuthFlows,
    allowedOAuthFlowsUserPoolClient: cfn.allowedOAuthFlowsUserPoolClient,
    allowedOAuthScopes: cfn.allowedOAuthScopes,
    callbackUrls: cfn.callbackUrLs,
    logoutUrls: cfn.logoutUrLs,
    defaultRedirectUri: cfn.defaultRedirectUri,
    supportedIdentityProviders: cfn.supportedIdentityProviders,
    explicitAuthFlows: cfn.explicitAuthFlows,
    accessTokenValidity: cfn.accessTokenValidity,
    idTokenValidity: cfn.idTokenValidity,
    refreshTokenValidity: cfn.refreshTokenValidity,
    tokenValidityUnits: cfn.tokenValidityUnits,
    authSessionValidity: cfn.authSessionValidity,
    enableTokenRevocation: cfn.enableTokenRevocation,
    enablePropagateAdditionalUserContextData: cfn.enablePropagateAdditionalUserContextData,
    preventUserExistenceErrors: cfn.preventUserExistenceErrors,
    readAttributes: cfn.readAttributes,
    writeAttributes: cfn.writeAttributes,
    analyticsConfiguration: cfn.analyticsConfiguration,
  };
}

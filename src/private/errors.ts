/**
 * The one error type of every synth-time refusal of CognitoEdgeAuth (a prop, the stack's
 * environment, the distribution, a missing handler bundle). Its message starts with
 * `CognitoEdgeAuth: ` and names the prop, the value and the fix; its `name` is
 * `ValidationError`, like aws-cdk-lib's own synth errors.
 *
 * Checks that can only run once the app is complete (the distribution's behaviours, the client's
 * scopes) are `node.addValidation` results instead, with the same `CognitoEdgeAuth: ` prefix:
 * the CDK reports them together when the app is synthesised.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(`CognitoEdgeAuth: ${message}`);
    this.name = 'ValidationError';
  }
}

/** Prefix of the ids of every warning the construct adds (`Annotations.addWarningV2`). */
const WARNING_PREFIX = 'cdk-cognito-edge-auth:';

/**
 * Ids of the construct's warnings, for `Annotations.acknowledgeWarning` (each message ends
 * with `[ack: <id>]`). Public behaviour: users acknowledge warnings by these ids.
 */
export const WarningId = {
  requiredGroups: `${WARNING_PREFIX}requiredGroups`,
  pathAuthorizations: `${WARNING_PREFIX}pathAuthorizations`,
  protectedBehaviors: `${WARNING_PREFIX}protectedBehaviors`,
  tokenMaxAge: `${WARNING_PREFIX}cookieSettings.tokenMaxAge`,
  runtime: `${WARNING_PREFIX}runtime`,
  removalPolicy: `${WARNING_PREFIX}removalPolicy`,
  cookieDomain: `${WARNING_PREFIX}cookieDomain`,
  viewerProtocolPolicy: `${WARNING_PREFIX}viewerProtocolPolicy`,
  userPoolDomain: `${WARNING_PREFIX}userPoolDomain`,
} as const;

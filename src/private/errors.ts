/**
 * The one error type of every synth-time refusal of CognitoEdgeAuth (a prop, the stack's
 * environment, the distribution, a missing handler bundle). Its message starts with
 * `CognitoEdgeAuth: ` and names the prop, the value and the fix; its `name` is
 * `ValidationError`, like aws-cdk-lib's own synth errors.
 *
 * Checks that can only run once the app is complete (the distribution's behaviors, the client's
 * scopes) are `node.addValidation` results instead, with the same `CognitoEdgeAuth: ` prefix:
 * the CDK reports them together when the app is synthesised.
 */
export class ValidationError extends Error {
  /** Path of the CognitoEdgeAuth whose props were refused, when the error came from its constructor. */
  public readonly constructPath?: string;

  constructor(message: string) {
    const at = constructorPath;
    super(`CognitoEdgeAuth: ${message}${at === undefined ? '' : ` (at ${at})`}`);
    this.name = 'ValidationError';
    this.constructPath = at;
  }
}

/** Path of the CognitoEdgeAuth whose constructor is running (its errors name it). */
let constructorPath: string | undefined;

/**
 * Errors thrown from now on name `path` (with several instances, users can tell which one failed);
 * `undefined` when the constructor is done.
 */
export function nameErrorsAfter(path: string | undefined): void {
  constructorPath = path;
}

/** Prefix of the ids of every warning the construct adds (`Annotations.addWarningV2`). */
const WARNING_PREFIX = 'cdk-cognito-edge-auth:';

/**
 * Ids of the construct's warnings, for `Annotations.acknowledgeWarning` (each message ends
 * with `[ack: <id>]`). Public behavior: users acknowledge warnings by these ids.
 */
export const WarningId = {
  requiredGroups: `${WARNING_PREFIX}requiredGroups`,
  pathAuthorizations: `${WARNING_PREFIX}pathAuthorizations`,
  protectedBehaviors: `${WARNING_PREFIX}protectedBehaviors`,
  tokenMaxAge: `${WARNING_PREFIX}cookieSettings.tokenMaxAge`,
  runtime: `${WARNING_PREFIX}runtime`,
  removalPolicy: `${WARNING_PREFIX}removalPolicy`,
  viewerProtocolPolicy: `${WARNING_PREFIX}viewerProtocolPolicy`,
  userPoolDomain: `${WARNING_PREFIX}userPoolDomain`,
} as const;

/**
 * Which function checks signed-in requests on the protected behaviors (design §7).
 */
export enum ViewerCheck {
  /**
   * A Lambda@Edge viewer-request function checks every request of the protected behaviors
   * (verifies the id token, refreshes it, answers the callback and sign-out paths).
   */
  LAMBDA_EDGE = 'LAMBDA_EDGE',
  /**
   * Session mode: a CloudFront Function checks a small signed session cookie on every protected
   * behavior, and the Lambda@Edge function runs only on the auth routes under `authPathPrefix`
   * (login, callback, refresh, sign-out), in a behavior the construct adds. The session key is
   * kept in a CloudFront KeyValueStore the construct creates.
   */
  CLOUDFRONT_FUNCTION = 'CLOUDFRONT_FUNCTION',
}

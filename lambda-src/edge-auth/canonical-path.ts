/**
 * One path, one decision (design §4.9): the canonical form of a request path, as the common origins
 * read it, so that routing and path rules decide on the object the origin will serve, not on the
 * spelling the viewer sent.
 *
 * CloudFront hands the function the path as sent; origins then read it their own ways: S3
 * percent-decodes every escape (`%2F` included), nginx and Apache merge `//` and resolve `.` and
 * `..` segments (after decoding), IIS turns `\` into `/`, servlet containers drop `;` path
 * parameters. The canonical form is the one spelling every one of those reads the same way:
 * - escapes of unreserved characters and of the path's sub-delimiters, `:` and `@` are decoded;
 *   `%2F` and `%5C` become `/`; other escapes (space, `%`, `?`, `#`, non-ASCII UTF-8, ...) stay,
 *   with upper-case hex; characters that must not appear raw in a path are encoded;
 * - `\` is `/`, runs of `/` are one, `.` segments are dropped and `..` removes the segment before
 *   it (never above the root); a trailing `/` stays.
 * A path has no canonical form (`undefined`) when origins may read it in incompatible ways or it
 * is malformed: a `%` not followed by two hex digits, an encoded or raw control character, a raw
 * space or non-ASCII character, escapes that are not valid UTF-8 (overlong `/` included), a `;` (path
 * parameters), or an escaped `%` before two hex digits (`%252F`: a double-decoding origin reads
 * `/`). Upper/lower case of the path itself is kept: rules are case-sensitive, like CloudFront's
 * own path patterns.
 */

// The code lives with the config.json rules (src/private/config-rules.ts): path patterns are checked
// against the same canonical form at synth, deploy and load.
export { canonicalPath, isCanonicalFast, MAX_CANONICAL_PATH_LENGTH as MAX_PATH_LENGTH } from '../../src/private/config-rules';

/**
 * Narrowing helpers for values that cross a trust boundary (`unknown` in, typed out).
 *
 * Every `assert*` helper throws the error produced by the `fail` callback, so each caller decides
 * which typed error (and which safe, value-free message) a failed check turns into.
 */

/** Builds the error a failed assertion throws; gets a short description of what was expected. */
export type FailFactory = (expected: string) => Error;

/** A parsed JSON object, read with {@link ownProperty}. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** A plain (non-array, non-null) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read that never walks the prototype chain. */
export function ownProperty(record: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function assertRecord(value: unknown, fail: FailFactory): asserts value is Record<string, unknown> {
  if (!isRecord(value)) throw fail('an object');
}

export function assertString(value: unknown, fail: FailFactory): asserts value is string {
  if (typeof value !== 'string') throw fail('a string');
}

export function assertNonEmptyString(value: unknown, fail: FailFactory): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw fail('a non-empty string');
}

/** The value, asserted to be a non-empty string (for use in expressions). */
export function nonEmptyString(value: unknown, fail: FailFactory): string {
  assertNonEmptyString(value, fail);
  return value;
}

export function assertStringArray(value: unknown, fail: FailFactory): asserts value is string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw fail('an array of strings');
}

export function assertBoolean(value: unknown, fail: FailFactory): asserts value is boolean {
  if (typeof value !== 'boolean') throw fail('a boolean');
}

export function assertIntegerInRange(value: unknown, min: number, max: number, fail: FailFactory): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fail(`an integer from ${min} to ${max}`);
  }
}

export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], fail: FailFactory): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fail(`one of ${allowed.join(', ')}`);
  }
}

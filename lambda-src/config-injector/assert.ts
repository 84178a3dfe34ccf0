/**
 * Narrowing helpers for values that cross a trust boundary (custom-resource properties, JSON
 * from the network). Error messages name the field, never a value that could be a secret.
 */

/** A property or document has the wrong shape. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A plain JSON object (no prototype tricks). */
export type JsonObject = { readonly [key: string]: unknown };

/** JSON.parse that drops `__proto__`/`constructor`/`prototype` keys instead of honouring them. */
export function safeJsonParse(text: string, what: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) =>
      key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value);
  } catch {
    throw new ConfigError(`${what} is not valid JSON`);
  }
}

export function assertObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${what} must be a non-empty string`);
  }
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(value, what);
}

export function optionalStringArray(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(`${what} must be an array of strings`);
  }
  return [...(value as string[])];
}

/** A number, also accepted as a decimal string (CloudFormation turns numbers into strings). */
export function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${what} must be a non-negative number`);
  }
  return n;
}

/** A boolean, also accepted as 'true'/'false' (CloudFormation turns booleans into strings). */
export function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new ConfigError(`${what} must be a boolean`);
}

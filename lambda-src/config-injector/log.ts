/**
 * JSON-line logging for the config injector. Callers pass shapes (names, counts, ids), never
 * secret values: the client secret, the state secret and key material are not loggable by
 * construction because no function here takes them.
 */
export type LogFields = Record<string, string | number | boolean | undefined | string[]>;

export function log(level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}): void {
  // eslint-disable-next-line no-console
  console.log(JSON.stringify({ level, message, ...fields }));
}

/** Unit tests of logger.ts: JSON lines, level threshold, closed fields (redaction by construction). */
import { Logger } from '../../lambda-src/edge-auth/logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'none'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger(level, (l) => lines.push(l)), lines };
}

test('one JSON line per event with the allowed fields', () => {
  const { log, lines } = capture('debug');
  log.info('callback_ok', { route: 'callback', status: 302, ms: 12.7, reason: 'token_rejected', upstream: 'token' });
  expect(JSON.parse(lines[0])).toEqual({ level: 'info', msg: 'callback_ok', route: 'callback', status: 302, ms: 13, reason: 'token_rejected', upstream: 'token' });
});

test('level threshold; none is silent', () => {
  const warn = capture('warn');
  warn.log.debug('allow');
  warn.log.info('allow');
  warn.log.warn('deny');
  warn.log.error('internal_error');
  expect(warn.lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error']);
  const none = capture('none');
  none.log.error('internal_error');
  expect(none.lines).toEqual([]);
});

test('free text cannot get in: reason must be a code, error a class name, unknown fields are dropped', () => {
  const { log, lines } = capture('debug');
  const secret = 'eyJhbGciOiJSUzI1NiJ9.secret.value';
  log.warn('deny', { reason: secret, error: `Error: ${secret}`, detail: `token=${secret}\n`, ...({ token: secret } as object) });
  expect(lines[0]).not.toContain('secret');
  expect(JSON.parse(lines[0])).toEqual({ level: 'warn', msg: 'deny', error: 'Error' });
});

test('a failing writer never breaks the caller', () => {
  const log = new Logger('debug', () => { throw new Error('disk full'); });
  expect(() => log.error('internal_error')).not.toThrow();
});

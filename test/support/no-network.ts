/**
 * Jest setup file: any attempt to open a socket to an address that is not loopback fails the
 * test. Node's global fetch (undici) and the AWS SDK both connect through `net.Socket#connect`,
 * so guarding that one method covers them. Hosts are checked as given (a name such as
 * `cognito-idp.us-east-1.amazonaws.com` is refused before any DNS look-up).
 */
import * as net from 'node:net';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

/** Error thrown for a connection attempt to a non-loopback host. */
export class RealNetworkTrafficError extends Error {
  constructor(host: string) {
    super(`Test attempted real network traffic to ${host}: only loopback is allowed`);
    this.name = 'RealNetworkTrafficError';
  }
}

function targetHost(args: unknown[]): string | undefined {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first && typeof first === 'object') {
    const opts = first as { host?: unknown; path?: unknown };
    if (typeof opts.path === 'string') return undefined; // unix socket / pipe
    return typeof opts.host === 'string' ? opts.host : 'localhost';
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
  return undefined; // path string: unix socket
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = targetHost(args);
  if (host !== undefined && !LOOPBACK.test(host.replace(/^\[|\]$/g, ''))) {
    const error = new RealNetworkTrafficError(host);
    process.nextTick(() => this.destroy(error));
    // Make the failure visible even when the caller swallows the error.
    (globalThis as { __realNetworkAttempts?: string[] }).__realNetworkAttempts ??= [];
    (globalThis as { __realNetworkAttempts?: string[] }).__realNetworkAttempts!.push(host);
    return this;
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

/** Hosts that tests in this file tried to reach (and were refused). */
export function realNetworkAttempts(): string[] {
  return [...((globalThis as { __realNetworkAttempts?: string[] }).__realNetworkAttempts ?? [])];
}

/** Forget recorded attempts (for a test that provokes one on purpose and asserts on it). */
export function clearRealNetworkAttempts(): void {
  (globalThis as { __realNetworkAttempts?: string[] }).__realNetworkAttempts = [];
}

// Every test fails if it tried to reach a non-loopback host, even when the code under test
// turned the refused connection into a safe answer.
if (typeof afterEach === 'function') {
  afterEach(() => {
    const attempts = realNetworkAttempts();
    clearRealNetworkAttempts();
    if (attempts.length > 0) {
      throw new RealNetworkTrafficError(attempts.join(', '));
    }
  });
}

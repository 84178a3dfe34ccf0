/**
 * Runs a built CloudFront Function (JavaScript runtime 2.0) in a node:vm context that offers only
 * what that runtime offers, as far as the tests can make it so:
 * - ECMAScript built-ins, minus those the runtime does not document (Map, Set, WeakMap, WeakSet,
 *   WeakRef, FinalizationRegistry, Proxy, Reflect, Symbol, Intl, WebAssembly, SharedArrayBuffer,
 *   Atomics, BigInt, escape, unescape); `eval` and `new Function` fail (no code generation);
 * - no Buffer, process, require of anything but `crypto` and `cloudfront`, fetch, timers,
 *   TextEncoder/TextDecoder, atob/btoa (a vm context has none of these; Buffer is documented for
 *   runtime 2.0 but the viewer function must not need it, so it is left out);
 * - `Date` frozen at the invocation's start (`Date.now()` and `new Date()` give the time passed to
 *   `invoke`), as the runtime does;
 * - `console.log` only, collected in `logs`;
 * - module `crypto`: `createHash(md5|sha1|sha256)` and `createHmac(md5|sha1|sha256, key)` with
 *   `update(data)` and `digest(hex|base64|base64url)`, nothing else;
 * - module `cloudfront`: `kvs()` with `get(key)` that rejects for a missing key (and for every key
 *   while `storeError` is set), `exists(key)` and `meta()`; reads are counted.
 * The function's `import x from "cloudfront"|"crypto"` lines (the only imports the static check
 * allows) become constants bound to these modules; the code then runs as a classic script.
 */
import * as nodeCrypto from 'node:crypto';
import * as vm from 'node:vm';

const HASHES = new Set(['md5', 'sha1', 'sha256']);
const ENCODINGS = new Set(['hex', 'base64', 'base64url']);
const NOT_OFFERED = [
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Proxy', 'Reflect', 'Symbol', 'Intl', 'WebAssembly',
  'SharedArrayBuffer', 'Atomics', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'escape', 'unescape', 'eval', 'AggregateError',
];
const IMPORT = /^import ([A-Za-z_$][\w$]*) from "(cloudfront|crypto)";$/gm;

export interface SandboxOptions {
  /** KeyValueStore contents. */
  readonly store?: Record<string, string>;
}

/** A loaded function. */
export interface Sandbox {
  /** The KeyValueStore contents (mutable). */
  readonly store: Map<string, string>;
  /** While true, every KeyValueStore read fails. */
  storeError: boolean;
  /** KeyValueStore reads during the last invocation. */
  readonly reads: number;
  /** `console.log` lines. */
  readonly logs: string[];
  /** Run the handler on `event` (copied into the sandbox's realm) with the clock at `nowMs`. */
  invoke(event: unknown, nowMs: number): Promise<unknown>;
  /** Evaluate an expression inside the sandbox (for checks of what it offers). */
  evaluate(expression: string): unknown;
}

function fail(message: string): never {
  throw new Error(message);
}

function cryptoModule(): object {
  const hashObject = (h: nodeCrypto.Hash | nodeCrypto.Hmac): object => {
    const o = {
      update(data: unknown): object {
        if (typeof data !== 'string') fail('crypto: update() takes a string here');
        h.update(data);
        return o;
      },
      digest(encoding: unknown): string | Uint8Array {
        if (encoding === undefined) return new Uint8Array(h.digest());
        if (typeof encoding !== 'string' || !ENCODINGS.has(encoding)) fail(`crypto: digest encoding ${String(encoding)} is not supported`);
        return h.digest(encoding as nodeCrypto.BinaryToTextEncoding);
      },
    };
    return Object.freeze(o);
  };
  return Object.freeze({
    createHash(algorithm: unknown): object {
      if (typeof algorithm !== 'string' || !HASHES.has(algorithm)) fail(`crypto: hash ${String(algorithm)} is not supported`);
      return hashObject(nodeCrypto.createHash(algorithm));
    },
    createHmac(algorithm: unknown, key: unknown): object {
      if (typeof algorithm !== 'string' || !HASHES.has(algorithm)) fail(`crypto: hmac ${String(algorithm)} is not supported`);
      if (typeof key !== 'string') fail('crypto: the HMAC key must be a string here');
      return hashObject(nodeCrypto.createHmac(algorithm, key));
    },
  });
}

/** Load `code` (a built and configured viewer function) into a fresh sandbox. */
export function loadCloudFrontFunction(code: string, options: SandboxOptions = {}): Sandbox {
  const store = new Map(Object.entries(options.store ?? {}));
  const logs: string[] = [];
  let reads = 0;
  const state = { storeError: false };
  const kvsHandle = Object.freeze({
    get(key: unknown): Promise<string> {
      reads++;
      if (state.storeError) return Promise.reject(new Error('KeyValueStore unavailable'));
      if (typeof key !== 'string' || !store.has(key)) return Promise.reject(new Error('KeyNotFound'));
      return Promise.resolve(store.get(key)!);
    },
    exists(key: unknown): Promise<boolean> {
      reads++;
      return state.storeError ? Promise.reject(new Error('KeyValueStore unavailable')) : Promise.resolve(typeof key === 'string' && store.has(key));
    },
    meta(): Promise<object> {
      return Promise.resolve({ creationDateTime: '2026-01-01T00:00:00Z', lastUpdatedDateTime: '2026-01-01T00:00:00Z', keyCount: store.size });
    },
  });
  const modules: Record<string, object> = {
    crypto: cryptoModule(),
    cloudfront: Object.freeze({
      kvs(id?: unknown): object {
        if (id !== undefined && id !== 'local-kvs') fail('KVSNamespaceNotFound');
        return kvsHandle;
      },
    }),
  };
  const load = (name: unknown): object => (typeof name === 'string' && modules[name]) || fail(`module ${String(name)} is not available`);

  const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  const prelude = `
    (function () {
      for (const name of ${JSON.stringify(NOT_OFFERED)}) delete globalThis[name];
      const RealDate = Date;
      let frozen = 0;
      function FrozenDate(a, b, c, d, e, f, g) {
        if (!new.target) return new RealDate(frozen).toString();
        switch (arguments.length) {
          case 0: return new RealDate(frozen);
          case 1: return new RealDate(a);
          default: return new RealDate(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0);
        }
      }
      FrozenDate.now = function () { return frozen; };
      FrozenDate.parse = RealDate.parse;
      FrozenDate.UTC = RealDate.UTC;
      FrozenDate.prototype = RealDate.prototype;
      globalThis.Date = FrozenDate;
      return function (ms) { frozen = ms; };
    })()`;
  const setNow = vm.runInContext(prelude, context) as (ms: number) => void;
  context.console = Object.freeze({ log: (...args: unknown[]) => logs.push(args.map(String).join(' ')) });
  context.require = load;
  context.__cfImport = load;

  const script = code.replace(IMPORT, (_line, name: string, mod: string) => `const ${name} = __cfImport("${mod}");`);
  if (/^\s*(import|export)\b/m.test(script)) throw new Error('sandbox: only `import x from "cloudfront"|"crypto"` lines can be loaded');
  vm.runInContext(script, context, { filename: 'viewer-function.js', timeout: 1000 });
  delete context.__cfImport;
  const parseInside = vm.runInContext('JSON.parse', context) as (text: string) => unknown;
  const handler = context.handler as ((event: unknown) => Promise<unknown>) | undefined;
  if (typeof handler !== 'function') throw new Error('sandbox: the code defines no top-level handler function');

  const sandbox: Sandbox = {
    async invoke(event: unknown, nowMs: number): Promise<unknown> {
      reads = 0;
      setNow(nowMs);
      const inside = event === undefined ? undefined : parseInside(JSON.stringify(event));
      const result = await handler(inside);
      return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
    },
    store,
    get storeError() {
      return state.storeError;
    },
    set storeError(value: boolean) {
      state.storeError = value;
    },
    get reads() {
      return reads;
    },
    logs,
    evaluate(expression: string): unknown {
      return vm.runInContext(expression, context);
    },
  };
  return sandbox;
}

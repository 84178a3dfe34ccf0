/**
 * The CloudFront Functions runtime 2.0 module `cloudfront` (KeyValueStore helpers), as far as the
 * viewer function uses it: `import cf from 'cloudfront'; const kvs = cf.kvs();`.
 * `get()` rejects when the key does not exist (and on any store error).
 */
declare module 'cloudfront' {
  interface KvsHandle {
    get(key: string): Promise<string>;
  }
  const cf: { kvs(kvsId?: string): KvsHandle };
  export default cf;
}

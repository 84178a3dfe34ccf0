/**
 * Size of a deployable: raw bytes, gzip bytes (each file gzip -9, summed) and the bytes of the
 * zip that would be uploaded (jszip, DEFLATE level 9).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import JSZip from 'jszip';

export interface SizeRow { files: number; raw: number; gzip: number; zip: number }

/** `files`: archive path → absolute path. */
export async function measureFiles(files: Map<string, string>): Promise<SizeRow> {
  const zip = new JSZip();
  let raw = 0;
  let gzip = 0;
  for (const [name, abs] of files) {
    const data = readFileSync(abs);
    raw += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
    zip.file(name, data, { date: new Date(0) });
  }
  const buf = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  return { files: files.size, raw, gzip, zip: buf.length };
}

export function deployableFiles(dir: string): Map<string, string> {
  return new Map(['index.js', 'config.json'].map((f) => [f, join(dir, f)]));
}

function walk(dir: string, skipNodeModules: boolean, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (skipNodeModules && e.name === 'node_modules') continue;
      walk(join(dir, e.name), skipNodeModules, out);
    } else if (e.isFile()) {
      out.push(join(dir, e.name));
    }
  }
  return out;
}

function findPackage(name: string, fromDir: string): string {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) throw new Error(`cannot resolve ${name} from ${fromDir}`);
  }
}

/**
 * The runtime closure of a package as `npm install --omit=dev` lays it out: the package and its
 * (optional) dependencies, recursively, every file of each (nested node_modules walked as their own packages).
 */
export function packageClosure(name: string, fromDir: string): { packages: string[]; files: Map<string, string> } {
  const seen = new Set<string>();
  const files = new Map<string, string>();
  const root = fromDir;
  const visit = (pkgDir: string): void => {
    if (seen.has(pkgDir)) return;
    seen.add(pkgDir);
    for (const f of walk(pkgDir, true)) files.set(relative(root, f), f);
    const pj = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) {
      let depDir: string;
      try {
        depDir = findPackage(dep, pkgDir);
      } catch {
        continue; // an optional dependency not installed on this platform
      }
      visit(depDir);
    }
  };
  visit(findPackage(name, fromDir));
  return { packages: [...seen].map((p) => relative(root, p)).sort(), files };
}


/** Newest mtime under a directory (for a staleness check of the bundle against its sources). */
export function newestMtime(dir: string): number {
  return Math.max(...walk(dir, true).map((f) => statSync(f).mtimeMs));
}

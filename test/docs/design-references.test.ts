/**
 * Code, tests and tools cite docs/design.md as "design §N" or "design §N.M": every such reference
 * must name a section (`## N.`) or a numbered part of one (`### N.M` or item `M.` of section N).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DIRS = ['src', 'lambda-src', 'test', 'scripts', 'bench', 'playground', 'example', 'docs'];
const FILES = ['.projenrc.ts', 'README.md', 'CONTRIBUTING.md'];
const SKIP = /(^|\/)(node_modules|cdk\.out|__pycache__|\.venv)(\/|$)/;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (SKIP.test(relative(ROOT, path))) continue;
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(ts|js|md|py|sh)$/.test(name)) out.push(path);
  }
  return out;
}

/** The section numbers docs/design.md defines. */
function sections(design: string): Set<string> {
  const found = new Set<string>();
  let current: string | undefined;
  for (const line of design.split('\n')) {
    const h2 = /^## (\d+)\. /.exec(line);
    if (h2) {
      current = h2[1];
      found.add(current);
      continue;
    }
    const h3 = /^### (\d+\.\d+) /.exec(line);
    if (h3) found.add(h3[1]);
    const item = /^(\d+)\. /.exec(line);
    if (item && current) found.add(`${current}.${item[1]}`);
  }
  return found;
}

/** Every "design §N[.M]" (also "design §3, §4.14") in a text. */
function references(text: string): string[] {
  const refs: string[] = [];
  for (const m of text.matchAll(/design(?:\.md)?\s*§\s*\d+(?:\.\d+)*(?:\s*(?:,|and|\/|or)\s*§\s*\d+(?:\.\d+)*)*/gi)) {
    refs.push(...[...m[0].matchAll(/§\s*(\d+(?:\.\d+)*)/g)].map((r) => r[1]));
  }
  return refs;
}

const design = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8');
const defined = sections(design);

test('docs/design.md numbers its sections and the security rules 4.1–4.14', () => {
  for (const n of ['1', '2', '3', '4', '5', '6', '7', '2.3', '3.2', '6.4']) expect(defined).toContain(n);
  for (let i = 1; i <= 14; i++) expect(defined).toContain(`4.${i}`);
});

test('every "design §" reference in the repository resolves to a section of docs/design.md', () => {
  const all = [
    ...DIRS.flatMap((d) => { try { return files(join(ROOT, d)); } catch { return []; } }),
    ...FILES.map((f) => join(ROOT, f)).filter((f) => { try { return statSync(f).isFile(); } catch { return false; } }),
  ];
  const refs = all.flatMap((f) => references(readFileSync(f, 'utf8')).map((ref) => ({ file: relative(ROOT, f), ref })));
  expect(refs.length).toBeGreaterThan(10);
  expect(refs.filter((r) => !defined.has(r.ref))).toEqual([]);
});

test('the checker finds references and refuses a missing section', () => {
  expect(references('see design §3, §4.14 and design §2')).toEqual(['3', '4.14', '2']);
  expect(defined.has('4.15')).toBe(false);
  expect(defined.has('8')).toBe(false);
});

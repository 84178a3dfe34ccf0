/**
 * The benchmark is not a test (its figures are read from bench/results.md, never asserted), but
 * its harness is code that can rot: this runs `npm run bench -- --quick` into a temp directory and
 * checks that every measurement was taken and that every answer of both sides was of the
 * expected kind (the bench's own sanity table). No timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface QuickResults {
  sizes: unknown[];
  warm: Array<{ name: string; ours: { median: number }; theirs: { median: number } }>;
  floors: Array<{ name: string; value: number; valid: boolean }>;
  sanity: Array<{ side: string; kind: string; ok: boolean }>;
}

let results: QuickResults;
let markdown: string;

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'test/tsconfig.json', 'bench/run.ts', '--quick', '--no-profile', '--no-rebuild', '--out', out], {
    cwd: ROOT, encoding: 'utf8', timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`bench --quick exited ${run.status}: ${(run.stderr || run.stdout).slice(-2000)}`);
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as QuickResults;
  markdown = readFileSync(join(out, 'results.md'), 'utf8');
}, 300_000);

test('both sides answered every request kind as expected (the bench\'s sanity table)', () => {
  expect(results.sanity.length).toBeGreaterThan(10);
  expect(results.sanity.filter((s) => !s.ok)).toEqual([]);
});

test('every request kind and every floor was measured', () => {
  expect(results.warm.map((w) => w.name).sort()).toEqual(['forged', 'garbage', 'login', 'refresh', 'valid', 'validDistinct']);
  for (const w of results.warm) {
    expect(w.ours.median).toBeGreaterThan(0);
    expect(w.theirs.median).toBeGreaterThan(0);
  }
  expect(results.floors.map((f) => f.name)).toEqual([
    'zip size', 'cold start (median)', 'warm valid cookie (median)', 'warm login redirect (median)', 'RSS over bare node (median)',
  ]);
  expect(results.floors.every((f) => f.valid && Number.isFinite(f.value))).toBe(true);
});

test('results.md has the tables the README quotes, and says it was a --quick run', () => {
  for (const heading of ['## Floors', '## Size of the deployable code', '## Cold start', '## Warm, per request (µs)', '## Sanity']) {
    expect(markdown).toContain(heading);
  }
  expect(markdown).toContain('--quick run: not for quoting');
});

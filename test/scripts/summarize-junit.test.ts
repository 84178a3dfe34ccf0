/**
 * scripts/summarize-junit.js, the closing "N passed, N failed" line of test-all.sh, on hand-made
 * JUnit reports and test sources in a temporary project: failures, load errors, crashed stages,
 * missing reports, skipped runs and stages that ran fewer tests than they hold.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface StageDef {
  readonly name: string;
  readonly report: string;
  readonly language: 'ts' | 'py';
  readonly roots: string[];
  readonly include: RegExp;
  readonly exclude?: RegExp;
  readonly testFunctions?: string[];
  /** How many times each declaration runs (the e2e suite: once per mode). */
  readonly declarationRuns?: number;
  readonly minimum: number;
}
interface Summary { readonly passed: number; readonly failed: number; readonly lines: string[] }
interface Summarizer {
  readonly STAGES: StageDef[];
  summarize(opts: { root: string; reportsDir: string; stages: Array<{ name: string; ok: boolean }>; stageDefs?: StageDef[] }): Summary;
  declaredTests(source: string, language: 'ts' | 'py', testFunctions?: string[]): number;
  testFiles(root: string, def: StageDef): string[];
  parseStageArgs(args: string[]): Array<{ name: string; ok: boolean }>;
}

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'summarize-junit.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const s = require(SCRIPT) as Summarizer;

/** Stages of the temporary project: jest files under test/unit, browser files under test/e2e, pytest files under test/py. */
const DEFS: StageDef[] = [
  { name: 'build', report: 'junit.xml', language: 'ts', roots: ['test'], include: /\.test\.ts$/, exclude: /^test\/e2e\//, minimum: 3 },
  { name: 'e2e', report: 'e2e-junit.xml', language: 'ts', roots: ['test/e2e'], include: /\.e2e\.ts$/, testFunctions: ['test', 'browserTest'], minimum: 1 },
  { name: 'python', report: 'pytest.xml', language: 'py', roots: ['test/py'], include: /(?:^|\/)test_[^/]*\.py$/, minimum: 2 },
];

const A_TS = "test('a1', () => {});\ntest('a2', () => {});\n";
const B_TS = "describe('b', () => {\n  it('b1', () => {});\n});\n";
const E2E_TS = "browserTest(getBrowser, 'e1', async () => {});\n";
const PY = 'def test_p1():\n    pass\n\n\nclass TestX:\n    def test_p2(self):\n        pass\n';

type Outcome = 'passed' | 'failed' | 'error' | 'skipped';
/** A jest-junit style report: one <testcase> per [file, outcome]. */
function jestReport(cases: Array<[string, Outcome]>): string {
  const body = cases.map(([file, outcome], i) => {
    const inner = outcome === 'failed' ? '<failure>boom</failure>' : outcome === 'error' ? '<error>  ● Test suite failed to run</error>' : outcome === 'skipped' ? '<skipped/>' : '';
    return `    <testcase classname="c${i}" name="case &quot;${i}&quot;" time="0.01" file="${file}">${inner}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="jest tests">\n  <testsuite name="s">\n${body.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
/** A pytest xunit2 report: one <testcase> per [classname, outcome]. */
function pytestReport(cases: Array<[string, Outcome]>): string {
  const body = cases.map(([classname, outcome], i) => {
    const inner = outcome === 'failed' ? '<failure message="assert">x</failure>' : outcome === 'skipped' ? '<skipped type="pytest.skip" message="no"/>' : '';
    return inner ? `<testcase classname="${classname}" name="t${i}" time="0.1">${inner}</testcase>` : `<testcase classname="${classname}" name="t${i}" time="0.1" />`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="python">${body.join('')}</testsuite></testsuites>`;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'summarize-junit-'));
  for (const [file, text] of Object.entries({
    'test/unit/a.test.ts': A_TS, 'test/unit/b.test.ts': B_TS, 'test/e2e/login.e2e.ts': E2E_TS, 'test/py/test_p.py': PY,
  })) write(file, text);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
const GREEN = {
  'junit.xml': jestReport([['test/unit/a.test.ts', 'passed'], ['test/unit/a.test.ts', 'passed'], ['test/unit/b.test.ts', 'passed']]),
  'e2e-junit.xml': jestReport([['test/e2e/login.e2e.ts', 'passed']]),
  'pytest.xml': pytestReport([['test_p', 'passed'], ['test_p.TestX', 'passed']]),
};
function reports(overrides: Partial<Record<keyof typeof GREEN, string | null>> = {}): void {
  for (const [name, xml] of Object.entries({ ...GREEN, ...overrides })) if (xml !== null) write(`test-reports/${name}`, xml);
}
const ALL_OK = [{ name: 'build', ok: true }, { name: 'e2e', ok: true }, { name: 'python', ok: true }];
function run(stages = ALL_OK): Summary {
  return s.summarize({ root, reportsDir: join(root, 'test-reports'), stages, stageDefs: DEFS });
}
const last = (r: Summary): string => r.lines[r.lines.length - 1];

describe('summarize', () => {
  test('every stage ran all it holds: green, with per-report counts', () => {
    reports();
    const r = run();
    expect(last(r)).toBe('6 passed, 0 failed');
    expect(r.lines).toContain('junit.xml: 3 passed, 0 failed, 0 skipped');
    expect(r.lines).toContain('stage "python": ok');
  });

  test('one failing jest test and a crashed e2e stage that left no failure: 2 failed, not 1', () => {
    reports({ 'junit.xml': jestReport([['test/unit/a.test.ts', 'passed'], ['test/unit/a.test.ts', 'failed'], ['test/unit/b.test.ts', 'passed']]) });
    const r = run([{ name: 'build', ok: false }, { name: 'e2e', ok: false }, { name: 'python', ok: true }]);
    expect(last(r)).toBe('5 passed, 2 failed');
    expect(r.lines).toContain('stage "e2e": counted as 1 failed test');
    expect(r.lines).not.toContain('stage "build": counted as 1 failed test');
  });

  test('each crashed stage without a failing test counts once, whatever the other stages did', () => {
    reports({ 'junit.xml': jestReport([['test/unit/a.test.ts', 'failed'], ['test/unit/a.test.ts', 'failed'], ['test/unit/b.test.ts', 'passed']]) });
    const r = run([{ name: 'build', ok: false }, { name: 'e2e', ok: false }, { name: 'python', ok: false }]);
    expect(last(r)).toBe('4 passed, 4 failed');
  });

  test('a stage that failed before writing its report counts as a failure', () => {
    reports({ 'pytest.xml': null });
    const r = run([{ name: 'build', ok: true }, { name: 'e2e', ok: true }, { name: 'python', ok: false }]);
    expect(last(r)).toBe('4 passed, 1 failed');
    expect(r.lines).toContain('stage "python": no report pytest.xml');
  });

  test('a missing report is a failure even when the stage says ok', () => {
    reports({ 'e2e-junit.xml': null });
    expect(last(run())).toBe('5 passed, 1 failed');
  });

  test('a test file that failed to load is a failed case, and its missing tests a failure of the stage', () => {
    reports({ 'junit.xml': jestReport([['test/unit/a.test.ts', 'error'], ['test/unit/b.test.ts', 'passed']]) });
    const r = run([{ name: 'build', ok: false }, { name: 'e2e', ok: true }, { name: 'python', ok: true }]);
    expect(last(r)).toBe('4 passed, 2 failed');
    expect(r.lines.join('\n')).toMatch(/stage "build": ran fewer tests than it holds \(test\/unit\/a\.test\.ts: ran 1 of 2 declared\)/);
  });

  test('a test file missing from the report (never collected) fails its stage, though jest exited 0', () => {
    reports({ 'junit.xml': jestReport([['test/unit/a.test.ts', 'passed'], ['test/unit/a.test.ts', 'passed'], ['test/unit/a.test.ts', 'passed']]) });
    const r = run();
    expect(last(r)).toBe('6 passed, 1 failed');
    expect(r.lines.join('\n')).toMatch(/test\/unit\/b\.test\.ts: ran 0 of 1 declared/);
  });

  test('a pytest run where every test was skipped is a failure (pytest exits 0)', () => {
    reports({ 'pytest.xml': pytestReport([['test_p', 'skipped'], ['test_p.TestX', 'skipped']]) });
    const r = run();
    expect(last(r)).toBe('4 passed, 1 failed');
    expect(r.lines).toContain('pytest.xml: 0 passed, 0 failed, 2 skipped');
  });

  test('a skipped jest test leaves its file short of what it declares: a failure', () => {
    reports({ 'e2e-junit.xml': jestReport([['test/e2e/login.e2e.ts', 'skipped']]) });
    expect(last(run())).toBe('5 passed, 1 failed');
  });

  test('a stage below its fixed minimum fails even when its sources declare nothing', () => {
    rmSync(join(root, 'test/py'), { recursive: true });
    reports({ 'pytest.xml': pytestReport([['test_p', 'passed']]) });
    const r = run();
    expect(last(r)).toBe('5 passed, 1 failed');
    expect(r.lines.join('\n')).toMatch(/stage "python": ran 1 tests, fewer than its minimum of 2/);
  });

  test('tests added beyond what the sources declare keep it green (the counts are floors)', () => {
    reports({ 'pytest.xml': pytestReport([['test_p', 'passed'], ['test_p', 'passed'], ['test.py.test_p.TestX', 'passed']]) });
    expect(last(run())).toBe('7 passed, 0 failed');
  });

  test('pytest cases map to their file by module, also with a package path in classname', () => {
    reports({ 'pytest.xml': pytestReport([['test.py.test_p', 'passed'], ['other_module', 'passed']]) });
    const r = run();
    expect(last(r)).toBe('6 passed, 1 failed');
    expect(r.lines.join('\n')).toMatch(/test\/py\/test_p\.py: ran 1 of 2 declared/);
  });

  test('a stage without a definition counts only its exit status; reports of no stage are still summed', () => {
    reports();
    write('test-reports/extra.xml', jestReport([['x.test.ts', 'failed']]));
    const r = run([...ALL_OK, { name: 'docs', ok: false }]);
    expect(last(r)).toBe('6 passed, 2 failed');
  });

  test('an unreadable report (a directory named like one) fails its stage', () => {
    reports({ 'junit.xml': null });
    mkdirSync(join(root, 'test-reports/junit.xml'));
    const r = run();
    expect(last(r)).toBe('3 passed, 1 failed');
    expect(r.lines.join('\n')).toMatch(/stage "build": report junit\.xml unreadable/);
  });
});

describe('declared tests', () => {
  test('jest: test/it calls with their modifiers and each tables, never comments or strings', () => {
    const source = [
      "import { x } from 'y';",
      "// test('commented out', () => {});",
      "/* it('block comment', () => {}); */",
      "const text = \"test('in a string', () => {})\";",
      "describe('group', () => {",
      "  test('one', () => {});",
      "  it('two', async () => {});",
      "  test.each([1, 2, 3])('three %s', (n) => { expect(n).toBeGreaterThan(0); });",
      "  it.each`a | b`('four', () => {});",
      "  test.skip('five (declared, so a skip shows as missing)', () => {});",
      "  test.concurrent.each([[1]])('six', async () => {});",
      "  describe.each([1, 2])('nested %s', () => { test('seven', () => {}); });",
      "  helperThatIsNotATest('x', () => {});",
      '});',
    ].join('\n');
    expect(s.declaredTests(source, 'ts')).toBe(7);
    expect(s.declaredTests("browserTest(g, 'a', async () => {});\ntest('b', () => {});", 'ts', ['test', 'browserTest'])).toBe(2);
    expect(s.declaredTests("browserTest(g, 'a', async () => {});", 'ts')).toBe(0);
  });

  test('pytest: test functions and methods, async ones too, not helpers or commented lines', () => {
    const source = 'def helper():\n    pass\n\ndef test_a():\n    pass\n\nasync def test_b():\n    pass\n\n# def test_commented():\n\nclass TestC:\n    def test_d(self):\n        pass\n';
    expect(s.declaredTests(source, 'py')).toBe(3);
  });
});

describe('the stages of this project', () => {
  const projectRoot = join(__dirname, '..', '..');
  const def = (name: string): StageDef => s.STAGES.find((d) => d.name === name)!;

  test('jest, e2e and python select their own test files, and this one is among jest\'s', () => {
    const jest = s.testFiles(projectRoot, def('build'));
    expect(jest).toContain('test/scripts/summarize-junit.test.ts');
    expect(jest).toContain('test/edge/handler.test.ts');
    expect(jest.filter((f) => f.startsWith('test/e2e/') || f.startsWith('test/python/'))).toEqual([]);
    expect(s.testFiles(projectRoot, def('e2e'))).toContain('test/e2e/login.e2e.ts');
    expect(s.testFiles(projectRoot, def('python'))).toContain('test/python/test_errors.py');
  });

  test('each stage declares at least its fixed minimum of tests where a declaration is one test (python) or one per mode (e2e)', () => {
    for (const name of ['e2e', 'python']) {
      const d = def(name);
      const declared = s.testFiles(projectRoot, d).reduce((n, f) => n + s.declaredTests(readFileSync(join(projectRoot, f), 'utf8'), d.language, d.testFunctions), 0);
      expect({ name, atLeastMinimum: declared * (d.declarationRuns ?? 1) >= d.minimum }).toEqual({ name, atLeastMinimum: true });
    }
  });

  test('stage arguments: NAME=ok|failed, anything else refused', () => {
    expect(s.parseStageArgs(['build=ok', 'e2e=failed'])).toEqual([{ name: 'build', ok: true }, { name: 'e2e', ok: false }]);
    expect(() => s.parseStageArgs(['build'])).toThrow(/STAGE=ok\|failed/);
  });
});

describe('command line', () => {
  /** Run a copy of the script inside the temporary project (it reads the reports next to it). */
  function cli(args: string[]): { status: number | null; stdout: string } {
    mkdirSync(join(root, 'scripts'), { recursive: true });
    copyFileSync(SCRIPT, join(root, 'scripts', 'summarize-junit.js'));
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'summarize-junit.js'), ...args], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', 'node_modules') },
    });
    return { status: r.status, stdout: r.stdout };
  }
  const closing = (stdout: string): string => stdout.trimEnd().split('\n').pop()!;

  test('ends with "N passed, N failed" and exits 1 when anything failed', () => {
    reports({ 'e2e-junit.xml': null });
    // the copied script checks the project's own stages: build is below its minimum, e2e has no report
    const r = cli(['build=ok', 'e2e=failed']);
    expect(closing(r.stdout)).toBe('5 passed, 2 failed');
    expect(r.status).toBe(1);
  });

  test('exits 0 only with a green closing line (the project\'s real stages read the real sources)', () => {
    reports();
    // the copied script uses the project's STAGES: with the temporary sources every count is short
    const r = cli(['build=ok']);
    expect(closing(r.stdout)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(r.status).toBe(1);
    rmSync(join(root, 'test-reports'), { recursive: true });
    const none = cli([]);
    expect(closing(none.stdout)).toBe('0 passed, 0 failed');
    expect(none.status).toBe(0);
  });

  test('a bad argument still prints a red closing line', () => {
    const r = cli(['build']);
    expect(closing(r.stdout)).toBe('0 passed, 1 failed');
    expect(r.status).toBe(1);
  });
});

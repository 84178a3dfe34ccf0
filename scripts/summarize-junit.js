// Sums the JUnit XML reports in test-reports/ (jest, the e2e suite, pytest) into one closing line
// "N passed, N failed", and exits 1 when N failed is not 0.
//
// Usage: node scripts/summarize-junit.js [STAGE=ok|failed ...]
//   (test-all.sh passes every stage it ran with its outcome, e.g. `build=ok e2e=failed python=ok`)
//
// Every <testcase> of every report counts: passed, or failed when it holds a <failure> or <error>
// (jest-junit reports a test file that fails to load as one such case); skipped ones are neither.
// On top of that, each stage named on the command line is checked, and a stage with a problem that
// no failing test case of its report accounts for counts as one failed test (once per stage):
//   - the stage failed (non-zero exit) and its report holds no failing test case;
//   - its report is missing or unreadable;
//   - it ran fewer tests than it holds: every test file of the stage must have run (passed or
//     failed, not skipped) at least as many tests as it declares (`test(`/`it(` calls in a jest
//     file, `def test_` in a pytest file; a parametrised or looped declaration counts once, so this
//     is a floor that grows with every test anyone adds), and the stage as a whole at least its
//     fixed minimum (`minimum` below: a last line of defence should the source scan ever find
//     nothing). A run where every test was skipped, or that collected none, is a failure.
const fs = require('node:fs');
const path = require('node:path');

/**
 * The stages of test-all.sh whose tests leave a JUnit report. `sources`: where the stage's test
 * files are (paths relative to the project root, `/` separated), as its runner selects them.
 */
const STAGES = [
  {
    name: 'build', // jest (test task of `projen build`): testMatch/testPathIgnorePatterns of package.json
    report: 'junit.xml',
    language: 'ts',
    roots: ['src', 'test', 'projenrc'],
    include: /(?:^|\/)(?:__tests__\/.*\.tsx?|[^/]*\.(?:test|spec)\.tsx?)$/,
    exclude: /(?:^|\/)(?:node_modules|cdk\.out)\/|^test\/(?:e2e|python)\//,
    minimum: 400,
  },
  {
    name: 'e2e', // scripts/test-e2e.sh
    report: 'e2e-junit.xml',
    language: 'ts',
    roots: ['test/e2e'],
    include: /\.e2e\.ts$/,
    testFunctions: ['test', 'it', 'browserTest'], // browserTest: test/e2e/browser.ts, one test() each
    // login.e2e.ts runs its scenarios once per mode (describe.each over lambda-edge and session;
    // a few in one mode only): 19 in each mode.
    declarationRuns: 2,
    minimum: 38,
  },
  {
    name: 'python', // scripts/test-python.sh (pytest.ini: python_files = test_*.py)
    report: 'pytest.xml',
    language: 'py',
    roots: ['test/python'],
    include: /(?:^|\/)test_[^/]*\.py$/,
    minimum: 80,
  },
];

/** Files under `roots` (relative to `root`, `/` separated) that `include` selects and `exclude` does not. */
function testFiles(root, def) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (def.exclude && def.exclude.test(`${child}${entry.isDirectory() ? '/' : ''}`)) continue;
      if (entry.isDirectory()) walk(child);
      else if (def.include.test(child)) out.push(child);
    }
  };
  for (const r of def.roots) walk(r);
  return out.sort();
}

/** How many tests a file declares (a floor: a parametrised or looped declaration counts once). */
function declaredTests(source, language, testFunctions = ['test', 'it']) {
  if (language === 'py') return (source.match(/^[ \t]*(?:async[ \t]+)?def[ \t]+test_\w*[ \t]*\(/gm) ?? []).length;
  return declaredJestTests(source, new Set(testFunctions));
}

/**
 * Calls of `test`/`it` or another of `testFunctions` (plain, `.only`, `.skip`, `.todo`,
 * `.failing`, `.concurrent`, and `.each(...)(...)` counted once), found in the syntax tree, so
 * comments and strings never count.
 */
function declaredJestTests(source, testFunctions) {
  const ts = require('typescript');
  const sf = ts.createSourceFile('t.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const MODIFIERS = new Set(['only', 'skip', 'todo', 'failing', 'concurrent']);
  const isTestFn = (e) => {
    if (ts.isIdentifier(e)) return testFunctions.has(e.text);
    return ts.isPropertyAccessExpression(e) && MODIFIERS.has(e.name.text) && isTestFn(e.expression);
  };
  const isEach = (e) => ts.isPropertyAccessExpression(e) && e.name.text === 'each' && isTestFn(e.expression);
  let n = 0;
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (isTestFn(callee)) n++;
      else if (ts.isCallExpression(callee) && isEach(callee.expression)) n++; // test.each(table)(name, fn)
      else if (ts.isTaggedTemplateExpression(callee) && isEach(callee.tag)) n++; // test.each`table`(name, fn)
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return n;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s) => s.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g,
  (_, name, dec, hex) => name ? ENTITIES[name] : String.fromCodePoint(dec ? Number(dec) : parseInt(hex, 16)));

/** The test cases of one JUnit XML report: { name, classname, file, outcome: passed|failed|skipped }. */
function parseReport(xml) {
  const cases = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = {};
    for (const a of m[1].matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unescapeXml(a[2]);
    const body = m[3] ?? '';
    const outcome = /<(?:failure|error)\b/.test(body) ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    cases.push({ name: attrs.name ?? '', classname: attrs.classname ?? '', file: attrs.file, outcome });
  }
  return cases;
}

/** The test file a case belongs to, or undefined: jest-junit's `file` attribute, pytest's module in `classname`. */
function fileOfCase(c, files, language) {
  if (language === 'py') {
    const byModule = new Map(files.map((f) => [path.posix.basename(f, '.py'), f]));
    return c.classname.split('.').map((part) => byModule.get(part)).find((f) => f !== undefined);
  }
  return c.file === undefined ? undefined : c.file.split(path.sep).join('/');
}

/**
 * @param {object} opts
 * @param {string} opts.root project root (test sources are read from here)
 * @param {string} opts.reportsDir directory of the JUnit XML reports
 * @param {Array<{name: string, ok: boolean}>} opts.stages the stages that ran, with their outcome
 * @param {Array<object>} [opts.stageDefs] STAGES by default
 * @returns {{ passed: number, failed: number, lines: string[] }} lines end with "N passed, N failed"
 */
function summarize({ root, reportsDir, stages, stageDefs = STAGES }) {
  const lines = [];
  let passed = 0;
  let failed = 0;
  const reports = new Map(); // report file name → { cases } or { error }
  const names = fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir).filter((f) => f.endsWith('.xml')).sort() : [];
  for (const file of names) {
    let cases;
    try {
      cases = parseReport(fs.readFileSync(path.join(reportsDir, file), 'utf8'));
    } catch (err) {
      reports.set(file, { error: String(err.message) });
      lines.push(`${file}: unreadable (${err.message})`);
      continue;
    }
    reports.set(file, { cases });
    const count = (o) => cases.filter((c) => c.outcome === o).length;
    lines.push(`${file}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
    passed += count('passed');
    failed += count('failed');
  }

  for (const stage of stages) {
    const def = stageDefs.find((d) => d.name === stage.name);
    const problems = checkStage(stage, def, reports, root);
    if (problems.length === 0) {
      lines.push(`stage "${stage.name}": ok`);
      continue;
    }
    const cases = def ? reports.get(def.report)?.cases ?? [] : [];
    const failingCases = cases.filter((c) => c.outcome === 'failed').length;
    // A failed stage whose report shows failing tests is explained by them; anything else adds one.
    const unexplained = problems.filter((p) => !(p.kind === 'exit' && failingCases > 0));
    for (const p of problems) lines.push(`stage "${stage.name}": ${p.text}`);
    if (unexplained.length > 0) {
      failed += 1;
      lines.push(`stage "${stage.name}": counted as 1 failed test`);
    }
  }
  lines.push(`${passed} passed, ${failed} failed`);
  return { passed, failed, lines };
}

function checkStage(stage, def, reports, root) {
  const problems = [];
  if (!stage.ok) problems.push({ kind: 'exit', text: 'FAILED (non-zero exit)' });
  if (!def) return problems; // a stage without tests of its own (nothing more to check)
  const report = reports.get(def.report);
  if (report === undefined) return [...problems, { kind: 'report', text: `no report ${def.report}` }];
  if (report.error !== undefined) return [...problems, { kind: 'report', text: `report ${def.report} unreadable` }];
  const cases = report.cases;

  const ran = cases.filter((c) => c.outcome !== 'skipped');
  const skipped = cases.length - ran.length;
  if (ran.length < def.minimum) {
    problems.push({ kind: 'count', text: `ran ${ran.length} tests${skipped ? ` (${skipped} skipped)` : ''}, fewer than its minimum of ${def.minimum}` });
  }
  const files = testFiles(root, def);
  const ranPerFile = new Map();
  for (const c of ran) {
    const f = fileOfCase(c, files, def.language);
    if (f !== undefined) ranPerFile.set(f, (ranPerFile.get(f) ?? 0) + 1);
  }
  const short = [];
  let declaredTotal = 0;
  for (const f of files) {
    let declared;
    try {
      declared = declaredTests(fs.readFileSync(path.join(root, f), 'utf8'), def.language, def.testFunctions);
    } catch (err) {
      problems.push({ kind: 'count', text: `cannot count the tests of ${f} (${err.message})` });
      continue;
    }
    declaredTotal += declared;
    const n = ranPerFile.get(f) ?? 0;
    if (n < declared) short.push(`${f}: ran ${n} of ${declared} declared`);
  }
  if (short.length > 0) {
    const shown = short.length > 8 ? [...short.slice(0, 8), `and ${short.length - 8} more files`] : short;
    problems.push({ kind: 'count', text: `ran fewer tests than it holds (${shown.join('; ')})` });
  } else if (ran.length < declaredTotal) {
    // cases without a file attribute: check the stage as a whole
    problems.push({ kind: 'count', text: `ran ${ran.length} tests, fewer than the ${declaredTotal} it declares` });
  }
  return problems;
}

/** `build=ok e2e=failed` → [{ name: 'build', ok: true }, { name: 'e2e', ok: false }]. */
function parseStageArgs(args) {
  return args.map((arg) => {
    const m = /^([\w:.-]+)=(ok|failed)$/.exec(arg);
    if (!m) throw new Error(`expected STAGE=ok|failed, got ${JSON.stringify(arg)}`);
    return { name: m[1], ok: m[2] === 'ok' };
  });
}

module.exports = { STAGES, summarize, parseReport, declaredTests, testFiles, parseStageArgs };

if (require.main === module) {
  const root = path.join(__dirname, '..');
  let result;
  try {
    result = summarize({ root, reportsDir: path.join(root, 'test-reports'), stages: parseStageArgs(process.argv.slice(2)) });
  } catch (err) {
    // Never end without the closing line, and never a green one when the summary itself broke.
    console.log(`summarize-junit: ${err.stack ?? err}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  for (const line of result.lines) console.log(line);
  process.exit(result.failed === 0 ? 0 : 1);
}

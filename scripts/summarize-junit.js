// Sums the JUnit XML reports in test-reports/ (jest, the e2e suite, pytest) into one closing line
// "N passed, N failed". A stage named on the command line failed; if it left no report of its
// own failures, it counts as one failed test so that a broken build can never read as green.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'test-reports');
const brokenStages = process.argv.slice(2);
let passed = 0;
let failed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.xml')) : [];
for (const file of files) {
  const xml = fs.readFileSync(path.join(dir, file), 'utf8');
  // Count <testcase> elements and those holding a <failure> or <error>; skipped ones are neither.
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  let filePassed = 0;
  let fileFailed = 0;
  for (const c of cases) {
    if (/<(failure|error)\b/.test(c)) fileFailed++;
    else if (!/<skipped\b/.test(c)) filePassed++;
  }
  console.log(`${file}: ${filePassed} passed, ${fileFailed} failed`);
  passed += filePassed;
  failed += fileFailed;
}
for (const stage of brokenStages) {
  console.log(`stage "${stage}" failed`);
}
if (failed === 0 && brokenStages.length > 0) failed = brokenStages.length;
console.log(`${passed} passed, ${failed} failed`);

/**
 * The README's promises about commands: users first (install lines, then the smallest example),
 * the contributors' two set-up commands exact in README and CONTRIBUTING.md, CI running the test
 * command as written, and the commands bringing Node 22 in themselves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const SETUP = [
  'npm ci && npm run playground   # main job: synthesise the example app and serve the protected site locally',
  'npm ci && npm run test:all     # every test suite; ends with "N passed, N failed"',
];

/** The code blocks of a markdown file, in order, with their language and the heading above them. */
function codeBlocks(markdown: string): Array<{ lang: string; code: string; heading: string }> {
  const blocks: Array<{ lang: string; code: string; heading: string }> = [];
  let heading = '';
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push({ lang: open.lang, code: open.lines.join('\n'), heading });
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (line.startsWith('```')) {
      open = { lang: line.slice(3).trim(), lines: [] };
    } else if (/^#{1,6} /.test(line)) {
      heading = line.replace(/^#+ /, '');
    }
  }
  return blocks;
}

test('README leads with the install lines, then the smallest example', () => {
  const [install, example] = codeBlocks(read('README.md'));
  expect(install.lang).toBe('sh');
  expect(install.code).toMatch(/^npm install cdk-cognito-edge-auth\b/m);
  expect(install.code).toMatch(/^pip install cdk-cognito-edge-auth\b/m);
  expect(example.lang).toBe('ts');
  expect(example.code).toMatch(/^new CognitoEdgeAuth\(this, 'Auth', \{/);
});

test('the two set-up commands are in README\'s Contributing section and in CONTRIBUTING.md, exactly', () => {
  for (const [file, section] of [['README.md', 'Contributing'], ['CONTRIBUTING.md', 'Set up on a fresh machine']]) {
    const setup = codeBlocks(read(file)).filter((b) => b.code.includes('npm run test:all'));
    expect(setup).toHaveLength(1);
    expect(setup[0].heading).toBe(section);
    expect(setup[0].code.split('\n')).toEqual(SETUP);
  }
});

test('CI runs README\'s test command as written', () => {
  const ci = read('.ci/run').split('\n').filter((l) => l && !l.startsWith('#'));
  expect(ci[ci.length - 1]).toBe(SETUP[1].split('#')[0].trim());
});

test('the set-up commands and the Python command run under Node 22 whatever the machine\'s node', () => {
  const pkg = JSON.parse(read('package.json'));
  const tasks = JSON.parse(read('.projen/tasks.json')).tasks;
  for (const name of ['playground', 'test:all', 'python:wheel']) {
    expect(pkg.scripts[name]).toBe(`projen ${name}`);
    expect(tasks[name].steps[0].exec).toMatch(/^bash scripts\/node22\.sh /);
  }
  expect(pkg.engines.node).toBe('>= 22.0.0');
  expect(read('README.md')).toContain('npm ci && npm run python:wheel && pip install dist/python/cdk_cognito_edge_auth-*.whl');
});

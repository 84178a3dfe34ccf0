/**
 * Static check of the built viewer function against what CloudFront Functions JavaScript runtime
 * 2.0 documents (CloudFront Developer Guide, "JavaScript runtime 2.0 features for CloudFront
 * Functions", "Helper methods for key value stores", "Restricted features"). A function the
 * runtime rejects makes the distribution answer 503, so this is an allow-list: anything not listed
 * is refused, even where the runtime might accept it.
 *
 * - Syntax: ES 5.1 statements and expressions, `const`/`let`, arrow functions, rest parameters,
 *   template literals, `**`, and `async`/`await` in top-level function declarations only (the
 *   runtime supports no async closures or async arguments). Refused: classes, generators,
 *   destructuring, spread, default parameters, for-of, optional chaining, `??` and logical
 *   assignment, getters/setters, computed, shorthand and method properties, tagged templates,
 *   BigInt and numeric separators, optional catch bindings, `debugger`, `with`, regular
 *   expression flags other than g, i, m.
 * - Modules: only `import x from "cloudfront"` and `import x from "crypto"`; no export, no
 *   `require`, no dynamic import; a top-level `function handler(event)` (async or not).
 * - Globals: an allow-list (no Buffer, process, fetch, timers, TextEncoder, Map/Set, eval or
 *   Function); `new` only of RegExp, Error types, Date, Array and Uint8Array.
 * - Methods: every `x.name(...)` call names a documented built-in method or one of the `crypto`
 *   (hash/HMAC), `cloudfront` (KeyValueStore) and console methods; statics of Object, Math, JSON,
 *   String, Number, Array, Date and Promise are checked per object.
 * - Size: at most 10 KB (the platform limit), after the configuration is written in.
 *
 * The scope analysis is deliberately simple (a name declared anywhere in the file counts as
 * declared everywhere), which can only miss a forbidden global that shares its name with a local
 * variable; the sandbox in test/support/cloudfront-functions-sandbox.ts, which offers only the
 * runtime's globals, catches those when the function runs.
 *
 * Usage: ts-node -P test/tsconfig.json scripts/check-viewer-function.ts [file]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/** The placeholder the unconfigured build reads its configuration from (lambda-src/shared/viewer-config.ts). */
const PLACEHOLDER = '__CEA_VIEWER_CONFIG__';
const MAX_BYTES = 10 * 1024;

/** Globals the runtime documents (and the code may use). */
export const ALLOWED_GLOBALS = new Set([
  'Object', 'String', 'Number', 'Boolean', 'Math', 'Date', 'JSON', 'Array', 'RegExp', 'Promise', 'Uint8Array',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'URIError', 'EvalError', 'ReferenceError',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI',
  'undefined', 'NaN', 'Infinity', 'globalThis', 'console',
]);

const CONSTRUCTIBLE = new Set(['RegExp', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'URIError', 'Date', 'Array', 'Uint8Array']);

/** Instance methods the runtime documents (String, Array, Object, Number, RegExp, Function, Promise, Date) plus crypto, cloudfront and console. */
export const ALLOWED_METHODS = new Set([
  // String (ES 5.1, 6, 8, 9)
  'charAt', 'concat', 'indexOf', 'lastIndexOf', 'match', 'replace', 'search', 'slice', 'split', 'substr', 'substring',
  'toLowerCase', 'toUpperCase', 'trim', 'codePointAt', 'endsWith', 'includes', 'repeat', 'startsWith', 'padStart', 'padEnd',
  'trimStart', 'trimEnd',
  // charCodeAt: not in the runtime 1.0 page's list, but AWS's own runtime-2.0 KeyValueStore sample
  // (aws-samples/amazon-cloudfront-functions, kvs-jwt-verify) uses it, so it is accepted.
  'charCodeAt',
  // Array (ES 5.1, 6, 7)
  'every', 'filter', 'forEach', 'join', 'map', 'pop', 'push', 'reduce', 'reduceRight', 'reverse', 'shift', 'some', 'sort',
  'splice', 'unshift', 'copyWithin', 'fill', 'find', 'findIndex',
  // Object, Number, RegExp, Function, Promise, Date
  'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', 'toExponential', 'toFixed', 'toPrecision',
  'test', 'exec', 'apply', 'bind', 'call', 'then', 'catch', 'finally', 'getTime', 'toISOString', 'toUTCString',
  // crypto (hash and HMAC), cloudfront (KeyValueStore), console
  'createHash', 'createHmac', 'update', 'digest', 'kvs', 'get', 'exists', 'meta', 'log',
]);

/** Static members per global object. */
export const ALLOWED_STATICS: Record<string, Set<string>> = {
  Object: new Set(['create', 'defineProperties', 'defineProperty', 'freeze', 'getOwnPropertyDescriptor', 'getOwnPropertyNames', 'getPrototypeOf',
    'isExtensible', 'isFrozen', 'isSealed', 'keys', 'preventExtensions', 'seal', 'assign', 'is', 'setPrototypeOf', 'entries', 'values', 'prototype']),
  Math: new Set(['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'cos', 'exp', 'floor', 'log', 'max', 'min', 'pow', 'random', 'round', 'sin', 'sqrt', 'tan',
    'acosh', 'asinh', 'atanh', 'cbrt', 'clz32', 'cosh', 'expm1', 'fround', 'hypot', 'imul', 'log10', 'log1p', 'log2', 'sign', 'sinh', 'tanh', 'trunc',
    'E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2']),
  JSON: new Set(['parse', 'stringify']),
  String: new Set(['fromCharCode', 'fromCodePoint', 'prototype']),
  Number: new Set(['isFinite', 'isInteger', 'isNaN', 'isSafeInteger', 'parseFloat', 'parseInt', 'EPSILON', 'MAX_SAFE_INTEGER', 'MAX_VALUE',
    'MIN_SAFE_INTEGER', 'MIN_VALUE', 'NEGATIVE_INFINITY', 'NaN', 'POSITIVE_INFINITY', 'prototype']),
  Array: new Set(['isArray', 'of', 'prototype']),
  Date: new Set(['now', 'parse', 'UTC']),
  Promise: new Set(['reject', 'resolve']),
};

const ALLOWED_MODULES = new Set(['cloudfront', 'crypto']);
const ALLOWED_REGEXP_FLAGS = /^[gim]*$/;
const FORBIDDEN_BINARY = new Set([
  ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** Node kinds allowed anywhere (further conditions are checked per kind in `visit`). */
const ALLOWED_KINDS = new Set([
  ts.SyntaxKind.SourceFile, ts.SyntaxKind.EndOfFileToken, ts.SyntaxKind.ImportDeclaration, ts.SyntaxKind.ImportClause,
  ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.Parameter,
  ts.SyntaxKind.VariableStatement, ts.SyntaxKind.VariableDeclarationList, ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.Block, ts.SyntaxKind.ExpressionStatement, ts.SyntaxKind.IfStatement, ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForInStatement, ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement, ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement, ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.ThrowStatement, ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.CatchClause, ts.SyntaxKind.SwitchStatement, ts.SyntaxKind.CaseBlock, ts.SyntaxKind.CaseClause,
  ts.SyntaxKind.DefaultClause, ts.SyntaxKind.LabeledStatement, ts.SyntaxKind.EmptyStatement,
  ts.SyntaxKind.Identifier, ts.SyntaxKind.PropertyAccessExpression, ts.SyntaxKind.ElementAccessExpression,
  ts.SyntaxKind.CallExpression, ts.SyntaxKind.NewExpression, ts.SyntaxKind.BinaryExpression,
  ts.SyntaxKind.PrefixUnaryExpression, ts.SyntaxKind.PostfixUnaryExpression, ts.SyntaxKind.TypeOfExpression,
  ts.SyntaxKind.VoidExpression, ts.SyntaxKind.DeleteExpression, ts.SyntaxKind.ConditionalExpression,
  ts.SyntaxKind.ParenthesizedExpression, ts.SyntaxKind.ArrayLiteralExpression, ts.SyntaxKind.ObjectLiteralExpression,
  ts.SyntaxKind.PropertyAssignment, ts.SyntaxKind.AwaitExpression, ts.SyntaxKind.TemplateExpression,
  ts.SyntaxKind.TemplateHead, ts.SyntaxKind.TemplateSpan, ts.SyntaxKind.TemplateMiddle, ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.RegularExpressionLiteral, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword, ts.SyntaxKind.ThisKeyword,
]);

export interface CheckOptions {
  /** The unconfigured build: its configuration placeholder counts as an allowed global. */
  readonly placeholder?: boolean;
}

/**
 * Problems with `code` as a CloudFront Functions runtime 2.0 viewer function (empty: none). Each
 * names what is refused and where (line:column).
 */
export function checkViewerFunction(code: string, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > MAX_BYTES) problems.push(`size: ${bytes} bytes, over the ${MAX_BYTES}-byte limit`);

  const syntax = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { allowJs: true, noEmit: false }, fileName: 'index.js' });
  for (const d of syntax.diagnostics ?? []) problems.push(`syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  const sf = ts.createSourceFile('index.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const where = (node: ts.Node): string => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return `${line + 1}:${character + 1}`;
  };
  const fail = (node: ts.Node, what: string): void => {
    problems.push(`${where(node)} ${what}: ${node.getText(sf).slice(0, 60)}`);
  };

  // Declared names (anywhere) and top-level async functions.
  const declared = new Set<string>();
  const asyncTopLevel = new Set<string>();
  const collect = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) declared.add(node.name.text);
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    if (ts.isImportClause(node) && node.name) declared.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  collect(sf);
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name && hasModifier(stmt, ts.SyntaxKind.AsyncKeyword)) asyncTopLevel.add(stmt.name.text);
  }

  let handler = false;
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name?.text === 'handler' && stmt.parameters.length === 1) handler = true;
    if (ts.isImportDeclaration(stmt)) {
      const spec = ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : '';
      const clause = stmt.importClause;
      if (!ALLOWED_MODULES.has(spec) || !clause || !clause.name || clause.namedBindings || clause.isTypeOnly) {
        fail(stmt, 'only `import x from "cloudfront"` and `import x from "crypto"` are allowed');
      }
    }
  }
  if (!handler) problems.push('no top-level `function handler(event)`');

  const isReference = (id: ts.Identifier): boolean => {
    const p = id.parent;
    if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
    if (ts.isPropertyAssignment(p) && p.name === id) return false;
    if ((ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) && p.name === id) return false;
    if ((ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.name === id) return false;
    if (ts.isImportClause(p)) return false;
    if (ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) return false;
    return true;
  };

  const visit = (node: ts.Node, depth: number): void => {
    const punctuation = node.kind >= ts.SyntaxKind.FirstPunctuation && node.kind <= ts.SyntaxKind.LastPunctuation;
    const keyword = node.kind >= ts.SyntaxKind.FirstKeyword && node.kind <= ts.SyntaxKind.LastKeyword;
    if ((punctuation || keyword) && !ALLOWED_KINDS.has(node.kind)) {
      return; // operators and modifiers: checked through their parents below
    }
    if (!ALLOWED_KINDS.has(node.kind)) {
      fail(node, `${kindName(node.kind)} is not supported`);
      return;
    }
    let inner = depth;
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
      inner = depth + 1;
      if (node.asteriskToken) fail(node, 'generators are not supported');
      const isAsync = hasModifier(node, ts.SyntaxKind.AsyncKeyword);
      if (isAsync && !(ts.isFunctionDeclaration(node) && depth === 0)) fail(node, 'async functions must be top-level declarations (no async closures)');
      for (const m of ts.getModifiers(node) ?? []) {
        if (m.kind !== ts.SyntaxKind.AsyncKeyword) fail(node, `modifier ${kindName(m.kind)} is not supported`);
      }
      node.parameters.forEach((p, i) => {
        if (!ts.isIdentifier(p.name)) fail(p, 'destructuring parameters are not supported');
        if (p.initializer) fail(p, 'default parameters are not supported');
        if (p.dotDotDotToken && i !== node.parameters.length - 1) fail(p, 'a rest parameter must be last');
      });
    }
    if (ts.isVariableStatement(node) && ts.getModifiers(node)?.length) fail(node, 'export is not supported');
    if (ts.isVariableDeclaration(node) && !ts.isIdentifier(node.name)) fail(node, 'destructuring is not supported');
    const forInBinding = ts.isForInStatement(node) && ts.isVariableDeclarationList(node.initializer) ? node.initializer.declarations : [];
    if (forInBinding.some((d) => !ts.isIdentifier(d.name))) {
      fail(node, 'destructuring is not supported');
    }
    if (ts.isCatchClause(node) && !node.variableDeclaration) fail(node, 'a catch clause needs its binding (optional catch binding is not documented)');
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) && node.questionDotToken) {
      fail(node, 'optional chaining is not supported');
    }
    if (ts.isBinaryExpression(node) && FORBIDDEN_BINARY.has(node.operatorToken.kind)) fail(node, `operator ${node.operatorToken.getText(sf)} is not supported`);
    if (ts.isPropertyAssignment(node) && !(ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isNumericLiteral(node.name))) {
      fail(node, 'computed property names are not supported');
    }
    if (ts.isNumericLiteral(node) && /[_n]/.test(node.getText(sf))) fail(node, 'numeric separators and BigInt are not supported');
    if (ts.isRegularExpressionLiteral(node)) {
      const flags = node.text.slice(node.text.lastIndexOf('/') + 1);
      if (!ALLOWED_REGEXP_FLAGS.test(flags)) fail(node, `regular expression flags "${flags}" are not supported (g, i, m only)`);
    }
    if (ts.isArrayLiteralExpression(node) && node.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) {
      fail(node, 'spread and holes in array literals are not supported');
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && (node.arguments ?? []).some((a) => ts.isSpreadElement(a))) {
      fail(node, 'spread arguments are not supported');
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) fail(node, 'dynamic import() is not supported');
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      const target = node.expression.expression;
      const statics = ts.isIdentifier(target) && !declared.has(target.text) ? ALLOWED_STATICS[target.text] : undefined;
      if (statics === undefined && !ALLOWED_METHODS.has(name)) fail(node, `method ${name}() is not in the runtime's documented API`);
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && !declared.has(node.expression.text)) {
      const statics = ALLOWED_STATICS[node.expression.text];
      if (statics !== undefined && !statics.has(node.name.text)) fail(node, `${node.expression.text}.${node.name.text} is not in the runtime's documented API`);
    }
    const callee = ts.isNewExpression(node) && ts.isIdentifier(node.expression) ? node.expression.text : '';
    const constructible = CONSTRUCTIBLE.has(callee) && !declared.has(callee);
    if (ts.isNewExpression(node) && !constructible) {
      fail(node, 'new is allowed only for RegExp, Error types, Date, Array and Uint8Array');
    }
    if (ts.isIdentifier(node) && isReference(node)) {
      const name = node.text;
      if (!declared.has(name) && !ALLOWED_GLOBALS.has(name) && !(options.placeholder && name === PLACEHOLDER)) {
        fail(node, `global ${name} is not offered by the runtime`);
      }
      if (asyncTopLevel.has(name) && !(ts.isCallExpression(node.parent) && node.parent.expression === node)) {
        fail(node, 'an async function may only be called, not passed around (no async arguments)');
      }
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  for (const stmt of sf.statements) visit(stmt, 0);
  return problems;
}

/** The name of a syntax kind (not one of the First…/Last… range aliases). */
function kindName(kind: ts.SyntaxKind): string {
  const names = Object.keys(ts.SyntaxKind).filter((k) => (ts.SyntaxKind as unknown as Record<string, number>)[k] === kind);
  return names.find((n) => !/^(First|Last)/.test(n)) ?? names[0] ?? String(kind);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

if (require.main === module) {
  const file = process.argv[2] ?? join(__dirname, '..', 'assets', 'viewer-function', 'index.js');
  const problems = checkViewerFunction(readFileSync(file, 'utf8'), { placeholder: true });
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exit(problems.length > 0 ? 1 : 0);
}

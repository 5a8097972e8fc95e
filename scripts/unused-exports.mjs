// Fails when a module exports a name that no other file of the project uses (src, scripts, tests).
// An export nobody imports is dead code or a needless widening of a module's surface; knip would do
// this too, but the TypeScript compiler the project already has answers it in one pass.
// Usage: node scripts/unused-exports.mjs [--fix] [tsconfig.json]
//   --fix drops the `export` keyword of each unused export declared with it (then run tsc: a name
//   its own file does not use either is dead code, which noUnusedLocals reports).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const fix = args.includes('--fix');
const configPath = resolve(root, args.find((a) => a !== '--fix') ?? 'tsconfig.json');

/** Files whose exports are read by tools, not by other modules: entry points and configuration. */
const ENTRY = [
  /\.test\.ts$/,
  /(^|\/)vitest\.config\.ts$/,
  /^src\/(index|cli)\.ts$/,
  /^test\/support\/global-setup\.ts$/,
];
/** scripts/run-ts.mjs runs a script by importing it and calling its `main`. */
const isScriptMain = (rel, name) => name === 'main' && /^scripts\/[^/]+\.ts$/.test(rel);

const parsed = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();
const own = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));

/** The symbol a name finally stands for, through import/export aliases. */
function target(symbol) {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

// Only names some module exports can refer to an export: resolve just those (the checker is slow).
const exportedNames = new Set();
for (const file of own) {
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (moduleSymbol) for (const e of checker.getExportsOfModule(moduleSymbol)) exportedNames.add(e.name);
}

// Every symbol each file refers to: names, `ns.name`, and `const { name } = await import(...)`.
const usedIn = new Map();
function use(symbol, file) {
  if (!symbol) return;
  for (const s of new Set([symbol, target(symbol)])) {
    if (!usedIn.has(s)) usedIn.set(s, new Set());
    usedIn.get(s).add(file);
  }
}
for (const file of own) {
  const visit = (node) => {
    if (ts.isIdentifier(node) && exportedNames.has(node.text)) use(checker.getSymbolAtLocation(node), file.fileName);
    if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key) && exportedNames.has(key.text))
        use(checker.getTypeAtLocation(node.parent).getProperty(key.text), file.fileName);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

/** The `export` of a declaration (for `export const a = 1`, of its statement when it declares one name). */
function exportKeyword(decl) {
  let node = decl;
  if (node && ts.isVariableDeclaration(node) && node.parent.declarations.length === 1) node = node.parent.parent;
  if (!node || !ts.canHaveModifiers(node)) return undefined;
  return ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

const unused = [];
const removals = new Map(); // file name -> start offsets of `export` keywords to drop
for (const file of own) {
  const rel = relative(root, file.fileName).replaceAll('\\', '/');
  if (ENTRY.some((re) => re.test(rel))) continue;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    if (isScriptMain(rel, exported.name)) continue;
    const users = [...(usedIn.get(target(exported)) ?? []), ...(usedIn.get(exported) ?? [])];
    if (users.some((u) => u !== file.fileName)) continue;
    const decl = exported.declarations?.[0];
    const line = decl ? file.getLineAndCharacterOfPosition(decl.getStart()).line + 1 : 1;
    unused.push(`${rel}:${line}: '${exported.name}' is exported but no other file uses it`);
    const keyword = exportKeyword(decl);
    if (keyword && decl.getSourceFile() === file) {
      if (!removals.has(file.fileName)) removals.set(file.fileName, new Set());
      removals.get(file.fileName).add(keyword.getStart());
    }
  }
}

if (fix) {
  for (const [fileName, starts] of removals) {
    let text = readFileSync(fileName, 'utf8');
    for (const start of [...starts].sort((a, b) => b - a))
      text = text.slice(0, start) + text.slice(start).replace(/^export\s+/, '');
    writeFileSync(fileName, text);
  }
  console.log(`Dropped ${[...removals.values()].reduce((n, s) => n + s.size, 0)} \`export\` keyword(s); run tsc next.`);
  process.exit(0);
}

if (unused.length > 0) {
  console.error(`${unused.join('\n')}\n\n${unused.length} unused export(s): drop the \`export\` or the code.`);
  process.exit(1);
}
console.log(`No unused exports in ${own.length} files.`);

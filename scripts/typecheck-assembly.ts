/**
 * Typechecks assembly/ with tsc against the AssemblyScript std types (assembly/tsconfig.json), minus
 * the two diagnostics where AssemblyScript deliberately departs from TypeScript; asc checks both
 * when it compiles (`npm run build:wasm`):
 * - TS1206 "Decorators are not valid here" on an AS decorator (`@inline`, `@lazy`, ...) placed on a
 *   function or a variable: TypeScript only allows decorators on classes and their members.
 * - TS2339 "Property does not exist" on a value whose type is a type parameter: AS generics are
 *   templates (`changetype<L>(0).splat(1)`), resolved per instantiation, not through constraints.
 * Everything else (unknown names, wrong argument types, missing exports) is reported.
 * Run by `npm run typecheck`.
 */
import ts from 'typescript';

const AS_DECORATORS = new Set(['inline', 'lazy', 'global', 'unsafe', 'external', 'operator', 'final', 'unmanaged', 'builtin']);

const configPath = ts.findConfigFile('assembly', ts.sys.fileExists, 'tsconfig.json');
if (!configPath) throw new Error('typecheck-assembly: assembly/tsconfig.json not found');
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) });
if (!config) process.exit(1);
const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
const checker = program.getTypeChecker();

/** The innermost node of `file` spanning [start, start + length). */
function nodeAt(file: ts.SourceFile, start: number, length: number): ts.Node | undefined {
  const visit = (node: ts.Node): ts.Node | undefined =>
    node.getStart(file) <= start && start + length <= node.getEnd() ? (ts.forEachChild(node, visit) ?? node) : undefined;
  return visit(file);
}

function isAssemblyScriptIdiom(d: ts.Diagnostic): boolean {
  if (!d.file || d.start === undefined || d.length === undefined) return false;
  const node = nodeAt(d.file, d.start, d.length);
  if (d.code === 1206) {
    const decorator = node && ts.findAncestor(node, ts.isDecorator);
    const callee = decorator && (ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression);
    return callee !== undefined && ts.isIdentifier(callee) && AS_DECORATORS.has(callee.text);
  }
  if (d.code === 2339 && node && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) {
    return (checker.getTypeAtLocation(node.parent.expression).flags & ts.TypeFlags.TypeParameter) !== 0;
  }
  return false;
}

function report(diagnostics: readonly ts.Diagnostic[]): void {
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => ts.sys.newLine };
  process.stderr.write(ts.formatDiagnostics(diagnostics, host));
}

const errors = ts.getPreEmitDiagnostics(program).filter((d) => !isAssemblyScriptIdiom(d));
report(errors);
process.exit(errors.length > 0 ? 1 : 0);

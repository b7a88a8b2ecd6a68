/**
 * The lists conventions keeps about the generated module against the module itself, so that they
 * cannot drift when the template changes: GENERATED_MODULE_NAMES names every top-level declaration
 * and import, and TYPESCRIPT_GLOBAL_NAMES every global the module refers to (a catalogue name that
 * generated one of them would shadow it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { GENERATED_MODULE_NAMES, TYPESCRIPT_GLOBAL_NAMES, indexTableNames } from '../../generator/conventions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const MODULE = fileURLToPath(new URL('../../generated/metrics.ts', import.meta.url));
const program = ts.createProgram([MODULE], { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true, types: ['node'] });
const source = program.getSourceFile(MODULE)!;
const checker = program.getTypeChecker();

/** Everything the module declares or imports at the top. */
function topLevelNames(): string[] {
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name) {
      names.push(statement.name.text);
    }
  }
  return names;
}

describe('names of the generated module', () => {
  it('GENERATED_MODULE_NAMES lists every top-level name the module declares or imports besides those the model holds', () => {
    const { catalog } = compileCatalog(readFileSync(join(ROOT, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
    const fromModel = new Set([
      ...catalog!.labels.flatMap((l) => [l.typeName, l.specConst, l.indexFunction, ...Object.values(indexTableNames(l.indexFunction))]),
      ...catalog!.metrics.map((m) => m.labelsTypeName),
      // The series functions, label readers and face functions, shared by the metrics with the same labels.
      ...catalog!.metrics.flatMap((m) => [m.seriesFunction, m.labelReader, m.faceFunction]),
      ...catalog!.events.map((e) => e.typeName),
    ]);
    const names = topLevelNames();
    expect(names.length).toBeGreaterThan(fromModel.size / 3);
    expect(names.filter((name) => !GENERATED_MODULE_NAMES.includes(name) && !fromModel.has(name))).toEqual([]);
  });

  it('TYPESCRIPT_GLOBAL_NAMES lists every global the module refers to', () => {
    const globals = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        const files = (symbol?.declarations ?? []).map((d) => d.getSourceFile().fileName);
        if (files.length > 0 && files.every((f) => /node_modules\/(typescript\/lib|@types\/node)\//.test(f)) && !ts.isPropertyAccessExpression(node.parent)) {
          if (!ts.isPropertySignature(node.parent) && !ts.isPropertyAssignment(node.parent) && !ts.isQualifiedName(node.parent)) globals.add(node.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(globals.size).toBeGreaterThan(0);
    expect([...globals].filter((name) => !TYPESCRIPT_GLOBAL_NAMES.includes(name)).sort()).toEqual([]);
  });
});

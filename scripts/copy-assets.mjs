// After `tsc -p tsconfig.build.json`: the files the compiled generator reads at run time that tsc
// does not emit (the handlebars template). The JSON Schema is emitted by tsc (it is imported).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const assets = ['generator/emit/typescript/metrics.ts.hbs'];
for (const asset of assets) {
  const target = join(root, 'dist', asset);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(root, asset), target);
}

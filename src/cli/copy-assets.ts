// The second step of `npm run build`: tsc emits only JavaScript, but the server reads files beside its code at run
// time (the migrations under db/, the portal's and the widget's pages under modules/*/page/). This copies every
// file under src/ that is not TypeScript to the same place under dist/, so `node dist/main.js start` finds them.
import fs from 'node:fs';
import path from 'node:path';

/** Source files tsc compiles (and so emits itself, or leaves out as tests and type declarations). */
const COMPILED = /\.(ts|mts|cts|tsx)$/;

/** Copies every non-TypeScript file under `srcDir` to the same relative path under `outDir`; returns those paths. */
export function copyAssets(srcDir: string, outDir: string): string[] {
  const copied: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(srcDir, rel), { withFileTypes: true })) {
      const file = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && !COMPILED.test(entry.name)) {
        fs.mkdirSync(path.join(outDir, rel), { recursive: true });
        fs.copyFileSync(path.join(srcDir, file), path.join(outDir, file));
        copied.push(file);
      }
    }
  };
  walk('');
  return copied.sort();
}

// Run from dist/cli (after tsc) or src/cli alike: the project root is two folders up either way.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const root = path.resolve(import.meta.dirname, '../..');
  const outDir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
  const copied = copyAssets(path.join(root, 'src'), outDir);
  console.log(`copied ${copied.length} asset file(s) from src/ to ${path.relative(process.cwd(), outDir) || '.'}`);
}

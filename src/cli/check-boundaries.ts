/**
 * `npm run check:boundaries`: the import rules of ARCHITECTURE.md "Which way imports run", checked.
 *
 *  - `platform/` (and the `db/` client) never import a module;
 *  - a module never imports `app.ts`, `main.ts` or the CLI (`cli/`);
 *  - module → module only through the other module's `*.service.ts` / `*.queries.ts` (types from those are fine),
 *    never its tables (`*.schema.ts`) nor its other files; a `*.schema.ts` may import another module's
 *    `*.schema.ts` for foreign keys;
 *  - no import cycles between modules (type-only imports count: a cycle of types is still a cycle of knowledge).
 *
 * Allowed everywhere: `db/schema.ts` (gathers every table for drizzle), tests (`*.test.ts`) and `testing/`.
 * Imports are found by a small scanner (no TypeScript API): `import … from`, `import type`, `export … from`,
 * side-effect `import '…'` and dynamic `import('…')`, relative specifiers only (packages are not boundaries).
 *
 * What is wrong today and not fixed yet is in ALLOWED below, each with its reason and the issue it waits for. An
 * entry that no longer matches anything fails the check too, so the list can only shrink.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Rule = 'platform-imports-module' | 'module-imports-app' | 'cross-module-internals' | 'module-cycle';
export type Import = { file: string; line: number; specifier: string; target: string; typeOnly: boolean };
export type Violation = { file: string; line: number; target: string; rule: Rule; detail: string };
/** One tolerated violation: `file` imports `target` (paths relative to the checked root), or a cycle through `modules`. */
export type Allowed = { file: string; target: string; reason: string; issue: number } | { cycle: string[]; reason: string; issue: number };

const RULE_TEXT: Record<Rule, string> = {
  'platform-imports-module': 'platform/ and db/ never import a module',
  'module-imports-app': 'a module never imports app.ts, main.ts or the CLI',
  'cross-module-internals': "module → module only through the other's *.service.ts / *.queries.ts",
  'module-cycle': 'no import cycles between modules',
};

/**
 * Files that are part of a module's public surface besides its `*.service.ts` / `*.queries.ts`: languages and
 * contracts other modules are meant to build on. Adding one is a design decision; say why.
 */
export const PUBLIC: Record<string, string> = {
  'modules/rules/conditions.ts': 'the condition language (schema, compile to SQL, evaluate) of triggers, automations, SLA policies and views',
  'modules/rules/actions.ts': 'the action language (schema, run) of triggers and automations',
  'modules/tickets/events.ts': 'the typed ticket event stream: kinds, payloads and the subscribers other modules declare',
  'modules/tickets/tickets.responses.ts': "the ticket response schemas other modules' routes answer with (a view's ticket page)",
};

const tables = (owner: string) => `reads ${owner}'s tables; goes through ${owner}'s *.queries.ts / *.service.ts`;
/** Tolerated today; remove an entry when its issue lands (a stale entry fails the check). */
export const ALLOWED: Allowed[] = [
  { file: 'modules/tickets/tickets.queries.ts', target: 'modules/people/people.schema.ts', reason: `${tables('people')} (joins requester, assignee, organisation)`, issue: 11 },
];

// ---- scanning

const STATIC_IMPORT = /^[ \t]*(import|export)\s+(type\s+)?([^;'"`]*?)\s*from\s*['"]([^'"\n]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** `import { type A, type B } from` and `import type … from` bring in types only; `import { A, type B }` does not. */
function onlyTypes(typeKeyword: string | undefined, clause: string): boolean {
  if (typeKeyword) return true;
  const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

/** The relative imports of one source text; `file` is the importing file's path relative to `root`. */
export function scanImports(root: string, file: string, text: string): Import[] {
  const found: Import[] = [];
  const add = (index: number, specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const abs = resolveSpecifier(path.resolve(root, path.dirname(file)), specifier);
    found.push({ file, line: lineAt(text, index), specifier, target: toPosix(path.relative(root, abs)), typeOnly });
  };
  for (const m of text.matchAll(STATIC_IMPORT)) add(m.index + m[0].indexOf(m[1]!), m[4]!, onlyTypes(m[2], m[3]!));
  for (const m of text.matchAll(SIDE_EFFECT_IMPORT)) add(m.index + m[0].indexOf('import'), m[1]!, false);
  for (const m of text.matchAll(DYNAMIC_IMPORT)) {
    // `import('x').SomeType` in a type position brings in a type only.
    add(m.index, m[1]!, text[m.index + m[0].length] === '.');
  }
  return found.sort((a, b) => a.line - b.line);
}

function resolveSpecifier(dir: string, specifier: string): string {
  const abs = path.resolve(dir, specifier);
  const stem = abs.replace(/\.(js|mjs|cjs|jsx)$/, '');
  for (const candidate of [abs, `${stem}.ts`, `${stem}.tsx`, path.join(abs, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return `${stem}.ts`;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

function sourceFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    const rel = toPosix(path.relative(root, abs));
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || rel === 'db/migrations') continue;
      out.push(...sourceFiles(root, abs));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

// ---- rules

type Place = { kind: 'module'; module: string } | { kind: 'platform' | 'app' | 'cli' | 'free' | 'other' };

function placeOf(rel: string): Place {
  if (rel.endsWith('.test.ts') || rel.endsWith('.test.tsx') || rel.startsWith('testing/') || rel === 'db/schema.ts') return { kind: 'free' };
  const m = /^modules\/([^/]+)\//.exec(rel);
  if (m) return { kind: 'module', module: m[1]! };
  if (rel.startsWith('platform/') || rel.startsWith('db/')) return { kind: 'platform' };
  if (rel === 'app.ts') return { kind: 'app' };
  if (rel === 'main.ts' || rel.startsWith('cli/')) return { kind: 'cli' };
  return { kind: 'other' };
}

const moduleOf = (rel: string) => /^modules\/([^/]+)\//.exec(rel)?.[1];
const isPublic = (rel: string) => /\.(service|queries)\.ts$/.test(rel) || rel in PUBLIC;
const isSchema = (rel: string) => /\.schema\.ts$/.test(rel);

function ruleFor(imp: Import): { rule: Rule; detail: string } | null {
  const from = placeOf(imp.file);
  const to = moduleOf(imp.target);
  if (from.kind === 'platform' && to) return { rule: 'platform-imports-module', detail: RULE_TEXT['platform-imports-module'] };
  if (from.kind !== 'module') return null;
  if (imp.target === 'app.ts' || imp.target === 'main.ts' || imp.target.startsWith('cli/')) {
    return { rule: 'module-imports-app', detail: RULE_TEXT['module-imports-app'] };
  }
  if (!to || to === from.module || isPublic(imp.target)) return null;
  if (isSchema(imp.file) && isSchema(imp.target)) return null; // foreign keys between tables
  const what = isSchema(imp.target) ? `another module's tables (${to}); read them through ${to}'s *.queries.ts` : `${to}'s internals`;
  return { rule: 'cross-module-internals', detail: `${RULE_TEXT['cross-module-internals']}: ${what}` };
}

/** Strongly connected components of the module graph with more than one module (Tarjan). */
function cycles(edges: Map<string, Map<string, Import>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** One concrete loop through a component, as the imports that make it: a → b → … → a. */
function loopThrough(component: string[], edges: Map<string, Map<string, Import>>): Import[] {
  const inside = new Set(component);
  const start = component[0]!;
  // breadth-first from start back to start, staying inside the component
  const prev = new Map<string, Import>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const [w, imp] of edges.get(v) ?? []) {
      if (!inside.has(w) || prev.has(w)) continue;
      prev.set(w, imp);
      if (w === start) {
        const path: Import[] = [];
        for (let at = start; ; ) {
          const step = prev.get(at)!;
          path.unshift(step);
          at = moduleOf(step.file)!;
          if (at === start) return path;
        }
      }
      queue.push(w);
    }
  }
  return [];
}

export type Report = { violations: Violation[]; tolerated: Violation[]; stale: Allowed[] };

export function checkBoundaries(root: string, allowed: Allowed[] = []): Report {
  const all: Violation[] = [];
  const edges = new Map<string, Map<string, Import>>();
  for (const file of sourceFiles(root)) {
    for (const imp of scanImports(root, file, fs.readFileSync(path.join(root, file), 'utf8'))) {
      const broken = ruleFor(imp);
      if (broken) all.push({ file: imp.file, line: imp.line, target: imp.target, ...broken });
      const from = placeOf(imp.file);
      const to = moduleOf(imp.target);
      if (from.kind === 'module' && to && to !== from.module) {
        const out = edges.get(from.module) ?? new Map<string, Import>();
        edges.set(from.module, out);
        if (!out.has(to)) out.set(to, imp);
      }
    }
  }
  for (const component of cycles(edges)) {
    const loop = loopThrough(component, edges);
    const first = loop[0]!;
    const route = loop.map((imp) => `${moduleOf(imp.file)} → ${moduleOf(imp.target)} (${imp.file}:${imp.line})`).join(', ');
    all.push({ file: first.file, line: first.line, target: first.target, rule: 'module-cycle', detail: `${RULE_TEXT['module-cycle']}: ${component.join(', ')} via ${route}` });
  }
  const used = new Set<Allowed>();
  const matches = (v: Violation) =>
    allowed.find((a) =>
      'cycle' in a ? v.rule === 'module-cycle' && a.cycle.slice().sort().join() === /: ([^ ]+(?:, [^ ]+)*) via/.exec(v.detail)?.[1]?.split(', ').join() : a.file === v.file && a.target === v.target,
    );
  const violations: Violation[] = [];
  const tolerated: Violation[] = [];
  for (const v of all) {
    const a = matches(v);
    if (a) {
      used.add(a);
      tolerated.push(v);
    } else violations.push(v);
  }
  return { violations, tolerated, stale: allowed.filter((a) => !used.has(a)) };
}

/** `file:line imports X (rule)`; `prefix` is where the checked root is, as the reader should see it (`src/`). */
export function formatViolation(v: Violation, prefix = ''): string {
  return `${prefix}${v.file}:${v.line} imports ${prefix}${v.target} (${v.detail})`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
  const { violations, tolerated, stale } = checkBoundaries(root, process.argv[2] ? [] : ALLOWED);
  const shown = path.relative(process.cwd(), root);
  for (const v of violations) console.log(formatViolation(v, shown ? `${toPosix(shown)}/` : ''));
  for (const a of stale) {
    const what = 'cycle' in a ? `the cycle ${a.cycle.join(', ')}` : `${a.file} → ${a.target}`;
    console.log(`stale allow-list entry: ${what} no longer happens; remove it from ALLOWED in src/cli/check-boundaries.ts`);
  }
  const verdict = violations.length + stale.length === 0 ? 'ok' : 'FAILED';
  console.log(`boundaries ${verdict}: ${violations.length} violation(s), ${stale.length} stale allow-list entr(y/ies), ${tolerated.length} tolerated (ALLOWED)`);
  process.exitCode = verdict === 'ok' ? 0 : 1;
}

/**
 * The import graph of the five layers (contract, core, main, preload, renderer): no cycles at all
 * (type-only imports included: a type cycle is still two files that cannot be read apart), and the
 * native audio add-on is loaded only from main/audio/. ESLint's no-restricted-imports misses an
 * add-on loaded through a constant module name and does not see cycles, so this reads every file.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LAYERS = ['contract', 'core', 'main', 'preload', 'renderer'];
const SOURCE = /\.(ts|tsx|cts|mts)$/;
/** How the add-on is named in an import, a require or a constant handed to import(). */
const ADDON = /(@handsfree\/audio-addon|native\/audio-addon|audio_addon\.node)/;

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Resolves a relative specifier written with a .js/.cjs/.mjs suffix to the source file. */
function resolveSpecifier(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|cjs|mjs|jsx)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.cts`, `${stem}.mts`, join(base, 'index.ts')]) if (existsSync(c) && SOURCE.test(c)) return c;
  return null;
}

interface Graph {
  edges: Map<string, string[]>;
  /** file → specifiers and string constants that name the add-on. */
  addon: Map<string, string[]>;
}

function buildGraph(): Graph {
  const files = LAYERS.flatMap((l) => sources(join(ROOT, l)));
  const edges = new Map<string, string[]>();
  const addon = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    // preProcessFile lists static imports, export-from, import() with a literal and require().
    const info = ts.preProcessFile(text, true, true);
    const specs = info.importedFiles.map((i) => i.fileName);
    edges.set(f, specs.map((s) => resolveSpecifier(f, s)).filter((x): x is string => x !== null));
    // A module name held in a constant (`const NAME = '@handsfree/audio-addon'; import(NAME)`)
    // is not an import to preProcessFile, so any string literal naming the add-on counts.
    const literals = [...text.matchAll(/(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g)].map((m) => m[2]!).filter((s) => ADDON.test(s));
    const named = [...new Set([...specs.filter((s) => ADDON.test(s)), ...literals])];
    if (named.length > 0) addon.set(f, named);
  }
  return { edges, addon };
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const rel = (f: string) => relative(ROOT, f).split('\\').join('/');

describe('import graph', () => {
  const graph = buildGraph();

  it('reads every layer, .cts included', () => {
    const files = [...graph.edges.keys()].map(rel);
    for (const l of LAYERS) expect(files.some((f) => f.startsWith(`${l}/`))).toBe(true);
    expect(files).toContain('preload/preload.cts');
  });

  it('has no import cycle', () => {
    expect(cycles(graph.edges).map((c) => c.map(rel))).toEqual([]);
  });

  it('loads the audio add-on only from main/audio/', () => {
    const outside = [...graph.addon.entries()]
      .filter(([f]) => !rel(f).startsWith('main/audio/') && !/\.test\.tsx?$/.test(f))
      .map(([f, names]) => `${rel(f)}: ${names.join(', ')}`);
    expect(outside).toEqual([]);
  });

  it('builds the app in one place: only main/app/compose.ts calls createApp', () => {
    const callers = [...graph.edges.keys()].filter((f) => !/\.test\.tsx?$/.test(f) && /\bcreateApp\(/.test(readFileSync(f, 'utf8').replace(/export async function createApp\(/, '')));
    expect(callers.map(rel)).toEqual(['main/app/compose.ts']);
  });

  it('the whole App is seen only by composition: main/app/ and the three host entry points', () => {
    // Route modules, the UI host, settings and voice take the services they name (their *Deps);
    // main/app/wiring.ts and composeDesktop.ts hand them over. A new `import type { App }` elsewhere
    // would make that module a service-locator client again.
    const APP = join(ROOT, 'main', 'app', 'app.ts');
    const HOSTS = ['main/cli/main.ts', 'main/electron/main.ts', 'main/ui/start.ts'];
    const importers = [...graph.edges.entries()].filter(([f, to]) => to.includes(APP) && !/\.test\.tsx?$/.test(f)).map(([f]) => rel(f));
    expect(importers.filter((f) => !f.startsWith('main/app/') && !HOSTS.includes(f))).toEqual([]);
  });

  it('the cycle finder finds cycles (self-check)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

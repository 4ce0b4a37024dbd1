/**
 * Voice twin: every UI action maps to a command in the intent catalog (and the text it sends is
 * recognized as that command), and every command in the catalog has a UI action. Fails on a gap.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../core/intent/catalog.js';
import { recognize } from '../../core/intent/recognizer.js';
import { UI_ACTIONS, UI_ONLY_CONTROLS } from '../../renderer/features/uiActions.js';

const CTX = { knownRepos: ['acme/api', 'acme/web'] };
const ARGS = { position: 2, repo: 'acme/api', number: 12, extra: 'octocat' };

function rendererSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? rendererSources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts') && e.name !== 'uiActions.ts' ? readFileSync(join(dir, e.name), 'utf8') : ''))
    .join('\n');
}

describe('voice twin', () => {
  it('every catalog command has a UI action', () => {
    const ui = new Set(UI_ACTIONS.map((a) => a.intent));
    expect(COMMANDS.map((c) => c.intent).filter((i) => !ui.has(i))).toEqual([]);
  });

  it('every UI action is a catalog command', () => {
    const catalog = new Set<string>(COMMANDS.map((c) => c.intent));
    expect(UI_ACTIONS.filter((a) => !catalog.has(a.intent)).map((a) => a.id)).toEqual([]);
  });

  it.each(UI_ACTIONS.map((a) => [a.id, a] as const))('%s sends text recognized as its command', (_id, a) => {
    const steps = a.text(a.intent === 'system.set_profile' ? { extra: 'terse' } : ARGS);
    expect(recognize(steps[steps.length - 1]!, CTX).name).toBe(a.intent);
  });

  it('every UI action is rendered as a control', () => {
    const src = rendererSources(join(import.meta.dirname, '..', '..', 'renderer'));
    expect(UI_ACTIONS.filter((a) => !src.includes(`data-action="${a.id}"`) && !src.includes(`'${a.id}'`)).map((a) => a.id)).toEqual([]);
  });

  it('every data-action control in the renderer is a UI action or a declared UI-only control', () => {
    const src = rendererSources(join(import.meta.dirname, '..', '..', 'renderer'));
    const used = new Set([...src.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]!));
    const known = new Set([...UI_ACTIONS.map((a) => a.id), ...UI_ONLY_CONTROLS.map((c) => c.id)]);
    expect([...used].filter((u) => !known.has(u))).toEqual([]);
  });
});

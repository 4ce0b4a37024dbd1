/** "cancel": every pending action of the session; nothing is sent. */
import type { Card } from '../../contract/response.js';
import { plural } from '../responses/text.js';
import { defineCommand } from './types.js';

export const systemCancel = defineCommand('system.cancel', {
  description: 'Cancel the pending action.',
  examples: ['cancel', 'never mind', 'no, cancel that'],
  anchors: [],
  entities: [],
  patterns: [
    '[no] cancel [that | it | this | everything | [the] (merge | action | comment | request | review | approval | delegation | last one) [of (it | this | that | [the] pr [number] {_:number})]]',
    '[no] never mind [that | it]',
    '[no] forget (it | that | about it)',
    '[no] abort [that | it]',
    'no do not do (it | that)',
  ],
  run(_e, t) {
    const pending = t.pendingActions();
    if (pending.length === 0) return { status: 'ok', spoken: 'Nothing to cancel.', cards: [] };
    const cards: Card[] = [];
    for (const p of pending) {
      try {
        const c = t.cancelAction(p);
        cards.push({ kind: 'outcome', token: c.token, action: c.kind, state: c.state, outcome: c.outcome ?? c.state, message: c.outcomeMessage ?? '' });
      } catch {
        // Confirmed by someone else in the meantime: its own response reports that.
      }
    }
    return { status: 'ok', spoken: cards.length === 1 ? 'Cancelled. Nothing was done.' : `Cancelled ${plural(cards.length, 'action')}. Nothing was done.`, cards };
  },
});

/**
 * The renderer store over a scripted host: confirmations follow the responses (one host call per
 * click, even a double click), step sequences stop at the first error, and pushed events update
 * the inbox in place.
 */
import { describe, expect, it } from 'vitest';
import type { EventName, Events, HostApi } from '../../contract/ipc.js';
import type { CommandResponse, NotificationCard, PendingActionView } from '../../contract/response.js';
import { createAppStore } from './store.js';
import { voiceStatusLine } from './voiceSlice.js';

const ACTION: PendingActionView = { token: 'a'.repeat(32), kind: 'pr.merge', expires_at: '2026-01-01T00:00:00Z', expires_in_ms: 60_000, summary: 'Merge acme/api PR 12…', repo: 'acme/api', number: 12, head_sha: 'b'.repeat(40) };

function response(over: Partial<CommandResponse>): CommandResponse {
  return { status: 'ok', intent: { name: 'system.help', confidence: 1, entities: {} }, spoken_text: '', cards: [], session_id: 's', debug: { processing_time_ms: 1, correlation_id: 'c' }, ...over };
}

function fakeHost(answers: Record<string, (req: unknown) => unknown>) {
  const calls: { name: string; req: unknown }[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const host: HostApi = {
    call: async (name, req) => {
      calls.push({ name, req });
      await new Promise((r) => setTimeout(r, 1));
      const f = answers[name];
      if (!f) throw new Error(`unexpected call ${name}`);
      return f(req) as never;
    },
    on: (name, l) => {
      listeners.set(name, [...(listeners.get(name) ?? []), l as (p: unknown) => void]);
      return () => {};
    },
  };
  const emit = <K extends EventName>(name: K, p: Events[K]) => (listeners.get(name) ?? []).forEach((l) => l(p));
  return { host, calls, emit };
}

const card = (thread: string, unread = true): NotificationCard => ({ kind: 'notification', position: 1, thread_id: thread, repo: 'acme/api', subject_type: 'PullRequest', title: 't', reason: 'mention', number: 1, updated_at: '2026-01-01T00:00:00Z', unread, url: 'https://github.com/acme/api/pull/1' });

describe('renderer store', () => {
  it('a command this window sent shows as a turn even when its pushed event is lost; the event, when it comes, adds no second one', async () => {
    const res = response({ spoken_text: 'You have 2 open pull requests.', intent: { name: 'inbox.my_prs', confidence: 1, entities: {} }, debug: { processing_time_ms: 1, correlation_id: 'c-1' } });
    const { host, emit } = fakeHost({ 'command.run': () => res });
    const store = createAppStore(host);
    await store.getState().runCommand('my pull requests');
    expect(store.getState().turns.map((t) => [t.heard, t.response.intent.name])).toEqual([['my pull requests', 'inbox.my_prs']]);
    emit('conversation.turn', { session_id: 's', source: 'text', heard: 'my pull requests', response: res });
    expect(store.getState().turns).toHaveLength(1);
    // Another client's turn (another correlation id) is its own.
    emit('conversation.turn', { session_id: 's', source: 'voice', heard: 'next', response: { ...res, debug: { processing_time_ms: 1, correlation_id: 'c-2' } } });
    expect(store.getState().turns.map((t) => t.heard)).toEqual(['next', 'my pull requests']);
  });

  it('tracks a pending action from its read-back to its outcome; a double click confirms once', async () => {
    const { host, calls } = fakeHost({
      'command.run': () => response({ status: 'needs_confirmation', spoken_text: ACTION.summary, cards: [{ kind: 'confirmation', action: ACTION }], pending_action: ACTION }),
      'action.confirm': () => response({ spoken_text: 'Merged PR 12 in acme/api.', cards: [{ kind: 'outcome', token: ACTION.token, action: 'pr.merge', state: 'done', outcome: 'merged', message: 'Merged PR 12 in acme/api.' }] }),
    });
    const store = createAppStore(host);
    await store.getState().runCommand('merge PR 12 in acme/api');
    expect(store.getState().confirmations[ACTION.token]).toMatchObject({ state: 'pending', busy: false });
    await Promise.all([store.getState().confirm(ACTION.token), store.getState().confirm(ACTION.token)]);
    expect(calls.filter((c) => c.name === 'action.confirm')).toHaveLength(1);
    expect(store.getState().confirmations[ACTION.token]).toMatchObject({ state: 'done', outcome: 'merged', busy: false });
    expect(store.getState().announcement).toBe('Merged PR 12 in acme/api.');
  });

  it('an error answer to a confirm marks it failed with the spoken reason', async () => {
    const { host } = fakeHost({
      'command.run': () => response({ status: 'needs_confirmation', cards: [{ kind: 'confirmation', action: ACTION }] }),
      'action.confirm': () => response({ status: 'error', spoken_text: 'That confirmation expired; nothing was done.', error: { code: 'token_expired', message: 'expired' } }),
    });
    const store = createAppStore(host);
    await store.getState().runCommand('merge it');
    await store.getState().confirm(ACTION.token);
    expect(store.getState().confirmations[ACTION.token]).toMatchObject({ state: 'expired', message: 'That confirmation expired; nothing was done.' });
  });

  it('runs a UI action\'s steps in order and stops at the first error', async () => {
    const { host, calls } = fakeHost({ 'command.run': (req) => response({ status: (req as { text: string }).text === 'read item 2' ? 'error' : 'ok' }) });
    const store = createAppStore(host);
    const last = await store.getState().runSteps(['read item 2', 'mark it done']);
    expect(last?.status).toBe('error');
    expect(calls.map((c) => (c.req as { text: string }).text)).toEqual(['read item 2']);
  });

  it('puts a new notification first and counts it unread once', () => {
    const { host, emit } = fakeHost({});
    const store = createAppStore(host);
    emit('inbox.changed', { items: [card('1')], unread: 1 } as Events['inbox.changed']);
    emit('notification.new', { item: card('2') } as Events['notification.new']);
    emit('notification.new', { item: card('2') } as Events['notification.new']);
    expect(store.getState().inbox.map((c) => [c.thread_id, c.position])).toEqual([['2', 1], ['1', 2]]);
    expect(store.getState().unread).toBe(2);
  });

  it('keeps the newest audio warning per kind; dismissing one leaves the others of its burst', () => {
    const { host, emit } = fakeHost({});
    const store = createAppStore(host);
    const at = '2026-12-05T10:00:00.000Z';
    const w = (kind: Events['audio.warning']['kind'], message: string, when = at): Events['audio.warning'] => ({ kind, level: 'warning', message, from: null, to: null, at: when });
    emit('audio.warning', w('glasses-disconnected', 'Your glasses (A) disconnected.'));
    emit('audio.warning', w('fallback-mic', 'The microphone fell back from A Mic to Laptop.'));
    emit('audio.warning', w('glasses-disconnected', 'Your glasses (B) disconnected.', '2026-12-05T10:00:01.000Z'));
    expect(store.getState().audioWarnings.map((x) => x.message)).toEqual(['The microphone fell back from A Mic to Laptop.', 'Your glasses (B) disconnected.']);
    store.getState().dismissAudioWarning('glasses-disconnected');
    expect(store.getState().audioWarnings.map((x) => x.kind)).toEqual(['fallback-mic']);
  });

  it('shows the voice state a push-to-talk press was answered with before any event arrives, then the events; a reload of the state supersedes them', async () => {
    let state: 'listening' | 'idle' = 'listening';
    const { host, emit } = fakeHost({
      'voice.ptt': () => ({ ok: true, available: true, reason: null, state, mode: 'ptt' }),
      'voice.status': () => ({ available: true, reason: null, state, mode: 'ptt' }),
    });
    const store = createAppStore(host);
    expect(voiceStatusLine(store.getState())).toBe('');
    // Pressed while the page's socket was still connecting: the 'listening' event went to nobody.
    await store.getState().pushToTalk(true);
    expect(voiceStatusLine(store.getState())).toBe('Voice: listening');
    emit('voice.state', { state: 'thinking', previous: 'transcribing', reason: 'transcribed', at_ms: 1, transcript: 'what needs my attention' });
    expect(voiceStatusLine(store.getState())).toBe('Voice: thinking · heard “what needs my attention”');
    // After a reconnect the host's state now wins over the last event seen.
    state = 'idle';
    await store.getState().loadVoice();
    expect(voiceStatusLine(store.getState())).toMatch(/^Voice: idle/);
  });

  it('the voice status line says why voice cannot run, and shows an error first', () => {
    const base = { voiceEvent: null, voiceHeard: null, voiceError: null };
    expect(voiceStatusLine({ ...base, voice: { available: false, reason: 'The audio add-on is not built.', state: 'unavailable', mode: null } })).toBe('The audio add-on is not built.');
    expect(voiceStatusLine({ ...base, voice: { available: false, reason: null, state: 'unavailable', mode: null } })).toBe('Voice is not available.');
    expect(voiceStatusLine({ ...base, voiceError: 'Push-to-talk is not available while the voice loop is speaking.', voice: { available: true, reason: null, state: 'speaking', mode: 'ptt' } })).toMatch(/^Push-to-talk is not available/);
  });
});

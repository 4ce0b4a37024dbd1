/**
 * CF-9 through the speaker (issue 13): in the desktop app a compromised renderer can plan a merge
 * (command.run behind the native dialog), start push-to-talk and play TTS of "confirm". The voice
 * loop then hears "confirm" for that action; it must not merge without the native dialog.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { appTtsService } from '../../main/app/wiring.js';
import { createCallHandlers, type UiHostDeps } from '../../main/ui/uiHost.js';

let dir: string;
let app: App;
afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a voice "confirm" for an action planned from a renderer call needs the native dialog: 0 merges without it', async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-bypass-'));
  const gw = new FixtureGitHubGateway();
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw });
  const dialogs: string[] = [];
  const handlers = createCallHandlers({
    app,
    tts: appTtsService(app),
    settings: {} as UiHostDeps['settings'],
    diagnostics: {} as UiHostDeps['diagnostics'],
    openExternal: async () => false,
    // The user never answers "Confirm" in the native dialog.
    confirmOutsideRenderer: async (readBack) => {
      dialogs.push(readBack);
      return false;
    },
  });
  const ipc = { userId: app.config.user, transport: 'ipc' as const };
  // The renderer plans the merge in the voice loop's session…
  const planned = await handlers['command.run']({ text: 'merge PR 12 in acme/api', session_id: 'voice' }, ipc);
  expect(planned.status).toBe('needs_confirmation');
  // …and the voice loop hears "confirm" played through the speaker (as main/voice/voiceRunner.ts runs it).
  const heard = await app.service.runCommand({ text: 'confirm', session_id: 'voice', client_context: { input: 'voice', stt_confidence: 0.99 } }, ipc);
  expect(heard.status).toBe('error');
  expect(heard.error?.code).toBe('confirmation_declined');
  expect(heard.error?.message ?? heard.spoken_text).toMatch(/on-screen confirmation|Not confirmed/);
  expect(gw.state.merges).toHaveLength(0);
  // Clicking goes through the dialog, which the user declines: still nothing.
  await expect(handlers['action.confirm']({ token: planned.pending_action!.token, via: 'click' }, ipc)).rejects.toMatchObject({ code: 'confirmation_declined' });
  expect(dialogs).toHaveLength(1);
  expect(gw.state.merges).toHaveLength(0);
  // Control: an action planned by voice itself is confirmed by voice (no dialog involved).
  const byVoice = await app.service.runCommand({ text: 'merge PR 12 in acme/api', session_id: 'voice-2', client_context: { input: 'voice' } }, ipc);
  expect(byVoice.status).toBe('needs_confirmation');
  const ok = await app.service.runCommand({ text: 'confirm', session_id: 'voice-2', client_context: { input: 'voice' } }, ipc);
  expect(ok.status).toBe('ok');
  expect(gw.state.merges).toHaveLength(1);
});

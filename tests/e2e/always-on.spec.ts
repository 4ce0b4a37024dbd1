/**
 * Always on (issue 12): with the page open and no push-to-talk press at any point,
 * - a notification delivered by a signed webhook and another found by a poll of the fake GitHub
 *   each appear in the inbox within 2 s without a reload, and the unread count follows;
 * - the spoken batch plays on the output (a PulseAudio null sink whose monitor the test records);
 * - muted or in quiet hours nothing is spoken, and the page still updates;
 * - a fake Bluetooth headset going away is announced (heard on the fallback output) and shown.
 * The audio parts need the add-on, PulseAudio and espeak-ng; without them the page parts still run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhook } from '../../main/github/webhookSignature.js';
import { hasPulseTools, startPulse, type PulseServer } from '../../native/audio-addon/bench/pulseServer.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { authorize, expect, post, REPO, shot, startApp, test, type AppProcess } from './fixtures.js';

const SECRET = 'e2e-webhook-secret';
const audioReady = existsSync(join(REPO, 'native', 'audio-addon', 'build', 'Release', 'handsfree_audio.node')) && hasPulseTools() && existsSync('/usr/bin/espeak-ng');

function pulseEnv(p: PulseServer | null): Record<string, string> {
  return p ? { PULSE_SERVER: p.server, XDG_RUNTIME_DIR: p.dir, PULSE_RUNTIME_PATH: join(p.dir, 'pulse') } : {};
}

/** Records a sink's monitor as raw 16 kHz mono s16le until stop(); returns the loudest 20 ms window, dBFS. */
function record(p: PulseServer, sink: string, dir: string): { stop(): Promise<number> } {
  const file = join(dir, `${sink}-${Date.now()}.raw`);
  const env = { ...process.env, ...pulseEnv(p) };
  delete env['LD_PRELOAD'];
  const child: ChildProcess = spawn('parecord', [`--server=${p.server}`, `--device=${sink}.monitor`, '--raw', '--format=s16le', '--rate=16000', '--channels=1', file], { env, stdio: 'ignore' });
  return {
    stop: () =>
      new Promise<number>((done) => {
        child.once('exit', () => {
          const b = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
          const s = new Int16Array(b.buffer, b.byteOffset, Math.floor(b.length / 2));
          let best = -120;
          for (let i = 0; i + 320 <= s.length; i += 320) {
            let e = 0;
            for (let j = i; j < i + 320; j++) e += s[j]! * s[j]!;
            const r = Math.sqrt(e / 320) / 32768;
            if (r > 0) best = Math.max(best, 20 * Math.log10(r));
          }
          done(best);
        });
        child.kill('SIGINT');
      }),
  };
}

/** A signed pull_request review_requested delivery to the app's webhook route. */
async function deliverWebhook(app: AppProcess, number: number, title: string, guid: string): Promise<number> {
  const body = JSON.stringify({
    action: 'review_requested',
    repository: { full_name: 'acme/api' },
    pull_request: { number, title, body: '', user: { login: 'priya-k' }, html_url: `https://github.com/acme/api/pull/${number}`, updated_at: new Date().toISOString() },
    requested_reviewer: { login: 'sam-dev' },
  });
  const r = await fetch(`${app.url}/webhooks/github`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'pull_request', 'X-GitHub-Delivery': guid, 'X-Hub-Signature-256': await signWebhook(SECRET, body) },
    body,
  });
  return r.status;
}

async function voiceState(app: AppProcess): Promise<string> {
  const r = await post(app.url, '/v1/ui/call/voice.status', {});
  return ((r.json as { res?: { state?: string } }).res?.state ?? 'none') as string;
}

/** Waits until the voice loop is started and has been idle for `quietMs`. */
async function settledIdle(app: AppProcess, quietMs = 1500, timeoutMs = 40_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let idleSince: number | null = null;
  while (Date.now() < until) {
    const s = await voiceState(app);
    idleSince = s === 'idle' ? (idleSince ?? Date.now()) : null;
    if (idleSince !== null && Date.now() - idleSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the voice loop did not settle to idle');
}

test.describe('always on', () => {
  let fake: FakeGitHub;
  let pulse: PulseServer | null = null;
  let dir: string;

  test.beforeEach(async () => {
    fake = await startFakeGitHub({ pollIntervalS: 1, validate: false });
    // An empty inbox at launch: the first spoken batch is the one this test causes.
    for (const t of fake.state.unreadThreads()) fake.state.markThreadDone(t.id);
    pulse = audioReady ? await startPulse() : null;
    if (pulse) {
      await pulse.loadModule('module-null-sink', 'sink_name=hf_spk', 'rate=48000', 'channels=1', 'sink_properties=device.description=Speaker');
      await pulse.pactl('set-default-sink', 'hf_spk');
    }
    dir = mkdtempSync(join(tmpdir(), 'hf-always-on-'));
  });

  test.afterEach(async () => {
    await fake.close();
    await pulse?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const liveApp = () =>
    startApp({
      env: {
        ...pulseEnv(pulse),
        HANDSFREE_MODE: 'live',
        HANDSFREE_GITHUB_API_URL: fake.url,
        HANDSFREE_GITHUB_TOKEN: 'ghp_e2e',
        HANDSFREE_E2E_POLL_S: '1',
        HANDSFREE_WEBHOOK_SECRET: SECRET,
        HANDSFREE_STT: 'stub',
        HANDSFREE_TTS: 'offline',
      },
    });

  test('webhook and poll arrivals reach the open page within 2 s and are spoken without a press', async ({ page }) => {
    test.setTimeout(120_000);
    const app = await liveApp();
    try {
      await authorize(page.context(), app);
      await page.goto(`${app.url}/`);
      await expect(page.getByText('Nothing needs your attention.')).toBeVisible();
      if (pulse) await settledIdle(app);
      const rec = pulse ? record(pulse, 'hf_spk', dir) : null;
      expect(await deliverWebhook(app, 4242, 'Webhook arrival', 'e2e-1')).toBe(200);
      await expect(page.getByTestId('inbox-title').filter({ hasText: 'Webhook arrival' })).toBeVisible({ timeout: 2_000 });
      await expect(page.getByTestId('unread-count')).toHaveText(/\(1 unread\)/);
      fake.state.simulateNotification({ repo: 'acme/web', subjectType: 'Issue', reason: 'mention', number: 77, title: 'Polled arrival' });
      await expect(page.getByTestId('inbox-title').filter({ hasText: 'Polled arrival' })).toBeVisible({ timeout: 2_000 });
      await expect(page.getByTestId('unread-count')).toHaveText(/\(2 unread\)/);
      if (rec) {
        await settledIdle(app);
        expect(await rec.stop(), 'the spoken batch reached the output sink').toBeGreaterThan(-40);
      }
      await shot(page, 'always-on-live-inbox');
    } finally {
      await app.stop();
    }
  });

  test('muted, then in quiet hours: nothing is spoken and the page still updates', async ({ page }) => {
    test.setTimeout(120_000);
    const app = await liveApp();
    try {
      await authorize(page.context(), app);
      await page.goto(`${app.url}/`);
      await expect(page.getByText('Nothing needs your attention.')).toBeVisible();
      if (pulse) await settledIdle(app);
      const quiet = { enabled: false, start: '00:00', end: '23:59' };
      const set = async (muted: boolean, quietOn: boolean) =>
        expect((await post(app.url, '/v1/ui/call/settings.update', { req: { spokenNotifications: { muted, reasons: [], quietHours: { ...quiet, enabled: quietOn } } } })).status).toBe(200);
      for (const [n, muted, quietOn] of [[5001, true, false], [5002, false, true]] as const) {
        await set(muted, quietOn);
        const rec = pulse ? record(pulse, 'hf_spk', dir) : null;
        expect(await deliverWebhook(app, n, `Silent arrival ${n}`, `e2e-q-${n}`)).toBe(200);
        await expect(page.getByTestId('inbox-title').filter({ hasText: `Silent arrival ${n}` })).toBeVisible({ timeout: 2_000 });
        if (rec) {
          await page.waitForTimeout(4_000); // longer than synthesis + the sentence would take to start
          expect(await rec.stop(), `nothing spoken (${muted ? 'muted' : 'quiet hours'})`).toBeLessThan(-80);
        }
      }
      await expect(page.getByTestId('unread-count')).toHaveText(/\(2 unread\)/);
    } finally {
      await app.stop();
    }
  });

  test('glasses disconnected: the fallback to a non-Bluetooth mic is heard and shown', async ({ page }) => {
    test.skip(pulse === null, 'skipped because it needs the audio add-on, PulseAudio and espeak-ng');
    test.setTimeout(120_000);
    const p = pulse!;
    const bt = await p.addFakeBluetoothHeadset();
    await p.pactl('set-default-sink', 'fake_bt_headset');
    await p.pactl('set-default-source', 'fake_bt_headset_mic');
    const app = await startApp({ env: { ...pulseEnv(p), HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'offline' } });
    try {
      await authorize(page.context(), app);
      await page.goto(`${app.url}/`);
      await settledIdle(app);
      const onSpeaker = record(p, 'hf_spk', dir);
      const onLoop = record(p, 'hf_loop', dir);
      await p.pactl('unload-module', String(bt.sourceModule));
      await p.pactl('unload-module', String(bt.sinkModule));
      await expect(page.locator('[data-testid="audio-warning"][data-kind="glasses-disconnected"]')).toContainText('Fake BT Headset');
      await expect(page.locator('[data-testid="audio-warning"][data-kind="fallback-mic"]')).toContainText(/Fake BT Headset Mic.*to /);
      await page.waitForTimeout(500);
      await settledIdle(app);
      const heard = Math.max(await onSpeaker.stop(), await onLoop.stop());
      expect(heard, 'the warning was spoken on the fallback output').toBeGreaterThan(-40);
      await shot(page, 'always-on-glasses-disconnected');
    } finally {
      await app.stop();
    }
  });
});

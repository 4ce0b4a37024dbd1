// A stand-in for main/audio/audioWorker.js in the host's unit tests: speaks the same protocol with
// synthetic audio (a 20 ms Int16Array chunk every 20 ms), so restarts, crash loops and listener
// failures are tested without the add-on or a sound server. FAKE_WORKER: 'crash' exits at once,
// 'unavailable' reports no add-on, 'garbage' sends an invalid message first, 'busy' stamps its
// clock, then takes 150 ms before each answer (the 'ready' and pings), as a worker busy starting up.
// 'echo' reports an echo canceller and sends its figures with each chunk (suppression = seq % 30, residual null on the first chunks).
// 'hfp' reports the opened mic as an 8 kHz Bluetooth input (narrowband-input).
// Watching routes: 'routesReady' after 100 ms, then one device-lost.
// Its clock is the OS monotonic clock shifted by 12,345 ms, like the add-on's own epoch.
const mode = process.env.FAKE_WORKER ?? '';
if (mode === 'crash') process.exit(3);
process.on('disconnect', () => process.exit(0));
const post = (m) => process.connected && process.send(m);
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const clock = () => hr() + 12_345;
const stamp = () => ({ hrMs: hr(), nowMs: clock() });
const busy = (ms) => {
  if (mode !== 'busy') return;
  const until = hr() + ms;
  while (hr() < until);
};
const echo = (n) => (mode === 'echo' ? { echo: { suppressionDb: n % 30, residualEchoDb: n < 3 ? null : -(n % 30) } } : {});
const timers = new Map();
const written = new Map();
let seq = 0;
process.on('message', (m) => {
  switch (m.t) {
    case 'ping': {
      const at = stamp();
      busy(150);
      return post({ t: 'reply', id: m.id, ok: true, ...at });
    }
    case 'listDevices':
      return post({ t: 'reply', id: m.id, ok: true, value: [] });
    case 'openCapture': {
      const t = setInterval(() => {
        const n = seq++;
        post({ t: 'chunk', sid: m.sid, sampleRateHz: 16000, channels: 1, format: 'int16', data: new Int16Array(320).fill(n % 100), frames: 320, captureTimestampMs: clock(), seq: n, preRoll: false, ...echo(n) });
      }, 20);
      timers.set(m.sid, t);
      post({ t: 'reply', id: m.id, ok: true });
      // Like the add-on on an HFP headset mic: the device's own rate, once the stream is open.
      if (mode === 'hfp') setTimeout(() => post({ t: 'route', sid: m.sid, event: { type: 'narrowband-input', deviceId: 'pulse:fake_hfp_mic', sampleRateHz: 8000 } }), 10);
      return;
    }
    case 'openPlayback':
      written.set(m.sid, 0);
      return post({ t: 'reply', id: m.id, ok: true });
    case 'write': {
      const n = (written.get(m.sid) ?? 0) + m.pcm.length;
      written.set(m.sid, n);
      return post({ t: 'reply', id: m.id, ok: true, position: { writtenFrames: n, playedFrames: n, playedMs: n / 16 } });
    }
    case 'drain':
      return post({ t: 'reply', id: m.id, ok: true });
    case 'control':
      if (m.op === 'close') clearInterval(timers.get(m.sid));
      return;
    case 'watchRoutes':
      // Like the add-on's watcher: its first snapshot takes a moment, then changes are reported.
      if (m.on)
        setTimeout(() => {
          post({ t: 'routesReady' });
          post({ t: 'route', sid: null, event: { type: 'device-lost', direction: 'input', deviceId: 'pulse:fake_bt_mic', reason: 'removed' } });
        }, 100);
      return;
  }
});
if (mode === 'garbage') post({ t: 'chunk', sid: 'not a number' });
const at = stamp();
busy(150);
post(mode === 'unavailable' ? { t: 'ready', available: false, reason: 'The audio add-on is not available (fake).', ...at } : { t: 'ready', available: true, reason: null, ...(mode === 'echo' ? { echoCancellation: true } : {}), ...at });

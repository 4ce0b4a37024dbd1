/**
 * The UI WebSocket (issue 13, item 9): a client that stops answering pings is closed after the
 * idle timeout; a client that stops reading is dropped once its queue passes the bound, instead of
 * the server buffering every event for it without limit.
 */
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { UI_EVENTS_PATH } from '../../contract/ipc.js';
import { AppEventBus } from '../app/events.js';
import { startHttpServer } from '../server/httpServer.js';
import { SILENT_LOGGER } from '../log/logger.js';
import { createBrowserMode, type BrowserMode } from './browserMode.js';
import { UiEventHub } from './eventHub.js';
import type { CallHandlers } from './uiHost.js';

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function serve(opts: { wsIdleTimeoutMs?: number; wsMaxBufferedBytes?: number }) {
  const bus = new AppEventBus();
  const hub = new UiEventHub(bus, 'local');
  const browser: BrowserMode = createBrowserMode({ rendererDir: mkdtempSync(join(tmpdir(), 'hf-ws-')), handlers: {} as CallHandlers, events: hub, local: null, ...opts });
  const server = await startHttpServer({ service: {} as never, apiKeys: { findByHash: () => undefined, insert: () => undefined, revoke: () => false } as never, authMode: 'dev', port: 0, logger: SILENT_LOGGER, extraRoutes: browser.routes, allowSameOrigin: true, onUpgrade: (req, socket, head, ctx) => browser.onUpgrade(req, socket, head, ctx) });
  stop = async () => {
    browser.close();
    await server.close();
  };
  const url = new URL(server.url);
  return { hub, port: Number(url.port), url: `ws://127.0.0.1:${url.port}${UI_EVENTS_PATH}` };
}

const opened = (ws: WebSocket) => new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
const closedWithin = (ws: WebSocket, ms: number) => new Promise<boolean>((resolve) => {
  const t = setTimeout(() => resolve(false), ms);
  ws.once('close', () => (clearTimeout(t), resolve(true)));
});

describe('UI WebSocket limits', () => {
  it('closes a client that stops answering pings, keeps one that answers', async () => {
    const { url } = await serve({ wsIdleTimeoutMs: 100 });
    const silent = new WebSocket(url, { autoPong: false });
    const alive = new WebSocket(url);
    await Promise.all([opened(silent), opened(alive)]);
    expect(await closedWithin(silent, 2_000)).toBe(true);
    expect(alive.readyState).toBe(WebSocket.OPEN);
    expect(await closedWithin(alive, 500)).toBe(false);
    alive.close();
  });

  it('drops a client that stops reading once its queue passes the bound; a reading client gets everything', async () => {
    const { hub, port, url } = await serve({ wsMaxBufferedBytes: 256 * 1024, wsIdleTimeoutMs: 60_000 });
    // The slow client: a raw socket that completes the upgrade and then never reads.
    const slow: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write(`GET ${UI_EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await new Promise<void>((resolve) => slow.once('data', (d) => (expect(String(d)).toMatch(/^HTTP\/1.1 101/), resolve())));
    slow.pause();
    const fast = new WebSocket(url);
    let fastGot = 0;
    fast.on('message', () => fastGot++);
    await opened(fast);
    // 600 events of ~16 KB (~10 MB, more than the loopback socket buffers hold), paced so a reader keeps up.
    const sample = { rmsDbfs: -20, peakDbfs: -6, timestampMs: 0, pad: 'x'.repeat(16_000) } as never;
    const EVENTS = 600;
    for (let i = 0; i < EVENTS; i++) {
      hub.emitLocal('diagnostics.levels', sample);
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 100));
    // The slow client was cut off: reading now, it gets what the kernel held and then the end.
    let slowBytes = 0;
    const ended = new Promise<void>((resolve) => (slow.on('close', () => resolve()), slow.on('end', () => resolve())));
    slow.on('data', (d: Buffer) => (slowBytes += d.length));
    slow.on('error', () => undefined);
    slow.resume();
    expect(await Promise.race([ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))])).toBe(true);
    expect(slowBytes).toBeLessThan(EVENTS * 16_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(fastGot).toBe(EVENTS);
    fast.close();
  }, 20_000);
});

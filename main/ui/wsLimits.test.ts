/**
 * The UI WebSocket (issue 13, item 9): a client that stops answering pings is closed after the
 * idle timeout; a client that stops reading is dropped once its queue passes the bound, instead of
 * the server buffering every event for it without limit.
 */
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/** Counts live WebSocket subscriptions: a dropped client unsubscribes. */
class CountingHub extends UiEventHub {
  active = 0;
  override onAnyFor(...a: Parameters<UiEventHub['onAnyFor']>): () => void {
    this.active++;
    const off = super.onAnyFor(...a);
    return () => {
      this.active--;
      off();
    };
  }
}

async function serve(opts: { wsIdleTimeoutMs?: number; wsMaxBufferedBytes?: number }) {
  const bus = new AppEventBus();
  const hub = new CountingHub(bus, 'local');
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
    expect(hub.active).toBe(2);
    // Events of ~16 KB, paced so a reader keeps up, until the server gives up on the slow client
    // (the loopback socket buffers absorb a few MB first); at most 64 MB.
    const sample = { rmsDbfs: -20, peakDbfs: -6, timestampMs: 0, pad: 'x'.repeat(16_000) } as never;
    let sent = 0;
    while (hub.active === 2 && sent < 4_000) {
      hub.emitLocal('diagnostics.levels', sample);
      if (++sent % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    expect(hub.active).toBe(1);
    for (let i = 0; i < 20; i++) hub.emitLocal('diagnostics.levels', sample);
    sent += 20;
    await vi.waitFor(() => expect(fastGot).toBe(sent), { timeout: 5_000 });
    // The slow client was cut off: reading now, it gets what the kernel held and then the end.
    let slowBytes = 0;
    const ended = new Promise<void>((resolve) => (slow.on('close', () => resolve()), slow.on('end', () => resolve())));
    slow.on('data', (d: Buffer) => (slowBytes += d.length));
    slow.on('error', () => undefined);
    slow.resume();
    expect(await Promise.race([ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))])).toBe(true);
    expect(slowBytes).toBeLessThan(sent * 16_000);
    fast.close();
  }, 20_000);
});

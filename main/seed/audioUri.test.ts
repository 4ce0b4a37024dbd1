import { describe, expect, it, vi } from 'vitest';
import { checkAudioUrl, fetchAudioUrl, isForbiddenAddress, type UriFetchDeps, type UriResponse } from './audioUri.js';

const PUBLIC = '93.184.216.34';

function body(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) yield c;
    },
  };
}

function ok(bytes: Uint8Array, contentLength: number | undefined = bytes.length): UriResponse {
  return { status: 200, location: undefined, contentLength, body: body([bytes]), abort: () => undefined };
}

function redirect(location: string): UriResponse {
  return { status: 302, location, contentLength: 0, body: body([]), abort: () => undefined };
}

/** DNS answers per host; records every lookup and connection. */
function harness(dns: Readonly<Record<string, readonly string[]>>, answer: (url: URL, address: string) => UriResponse | Promise<UriResponse>) {
  const lookups: string[] = [];
  const connects: { url: string; address: string }[] = [];
  const deps: UriFetchDeps = {
    lookup: async (h) => {
      lookups.push(h);
      const a = dns[h];
      if (a === undefined) throw new Error('ENOTFOUND');
      return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
    get: async (url, address) => {
      connects.push({ url: url.toString(), address });
      return answer(url, address);
    },
  };
  return { deps, lookups, connects };
}

describe('audio by URI (SSRF)', () => {
  it('classifies addresses: loopback, private, link-local, CGNAT, ULA, mapped, metadata are forbidden', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
      expect(isForbiddenAddress(a), a).toBe(true);
    }
    for (const a of [PUBLIC, '8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isForbiddenAddress(a), a).toBe(false);
  });

  it('refuses file://, http://, data: and credentials without any lookup or connection', async () => {
    const h = harness({}, () => ok(new Uint8Array(1)));
    for (const uri of ['file:///etc/passwd', 'http://127.0.0.1/a.wav', 'http://169.254.169.254/latest/meta-data/', 'data:audio/wav;base64,AAAA', 'ftp://x.example/a', 'https://user:pw@x.example/a', 'not a url']) {
      await expect(fetchAudioUrl(uri, h.deps), uri).rejects.toMatchObject({ code: 'uri_not_allowed' });
      expect(() => checkAudioUrl(uri)).toThrow();
    }
    expect(h.lookups).toEqual([]);
    expect(h.connects).toEqual([]);
  });

  it('refuses https to loopback, link-local and private addresses, literal or resolved, before connecting', async () => {
    const h = harness({ 'internal.example': ['10.0.0.5'], 'mixed.example': [PUBLIC, '127.0.0.1'], 'rebind.example': ['169.254.169.254'] }, () => ok(new Uint8Array(1)));
    for (const uri of ['https://127.0.0.1/a.wav', 'https://169.254.169.254/latest', 'https://[::1]/a', 'https://localhost/a', 'https://internal.example/a.wav', 'https://mixed.example/a.wav', 'https://rebind.example/a.wav', 'https://2130706433/a']) {
      await expect(fetchAudioUrl(uri, h.deps), uri).rejects.toMatchObject({ code: 'uri_not_allowed', message: expect.stringMatching(/private|loopback|local/) });
    }
    expect(h.connects).toEqual([]);
  });

  it('connects to the checked address, and fetches the bytes', async () => {
    const h = harness({ 'cdn.example': [PUBLIC] }, () => ok(new Uint8Array([1, 2, 3])));
    expect([...(await fetchAudioUrl('https://cdn.example/a.wav', h.deps))]).toEqual([1, 2, 3]);
    expect(h.connects).toEqual([{ url: 'https://cdn.example/a.wav', address: PUBLIC }]);
  });

  it('a redirect to another host, to http, or to a host now resolving privately is refused; nothing fetched from it', async () => {
    for (const [loc, dns] of [
      ['https://evil.example/x', { 'cdn.example': [PUBLIC], 'evil.example': [PUBLIC] }],
      ['http://127.0.0.1/x', { 'cdn.example': [PUBLIC] }],
      ['https://10.0.0.1/x', { 'cdn.example': [PUBLIC] }],
    ] as const) {
      const h = harness(dns, (url) => (url.pathname === '/a.wav' ? redirect(loc) : ok(new Uint8Array(1))));
      await expect(fetchAudioUrl('https://cdn.example/a.wav', h.deps), loc).rejects.toMatchObject({ code: 'uri_not_allowed' });
      expect(h.connects.map((c) => c.url)).toEqual(['https://cdn.example/a.wav']);
    }
    // Same host, but its DNS answer turned private between hops (rebinding): refused before connecting.
    let n = 0;
    const h: UriFetchDeps = {
      lookup: async () => [{ address: n++ === 0 ? PUBLIC : '127.0.0.1', family: 4 }],
      get: vi.fn(async (url: URL) => (url.pathname === '/a.wav' ? redirect('/b.wav') : ok(new Uint8Array(1)))),
    };
    await expect(fetchAudioUrl('https://cdn.example/a.wav', h)).rejects.toMatchObject({ code: 'uri_not_allowed' });
    expect(h.get).toHaveBeenCalledTimes(1);
  });

  it('an oversize body is refused: declared, or found while streaming (reading stops)', async () => {
    const declared = harness({ 'cdn.example': [PUBLIC] }, () => ok(new Uint8Array(10), 5_000_000_000));
    await expect(fetchAudioUrl('https://cdn.example/a.wav', { ...declared.deps, maxBytes: 1000 })).rejects.toMatchObject({ code: 'audio_fetch_failed', message: expect.stringMatching(/larger than 1000 bytes/) });
    let pulled = 0;
    let aborted = false;
    const streaming = harness({ 'cdn.example': [PUBLIC] }, () => ({
      status: 200,
      location: undefined,
      contentLength: undefined,
      abort: () => (aborted = true),
      body: {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            pulled++;
            yield new Uint8Array(400);
          }
        },
      },
    }));
    await expect(fetchAudioUrl('https://cdn.example/a.wav', { ...streaming.deps, maxBytes: 1000 })).rejects.toMatchObject({ code: 'audio_fetch_failed' });
    expect(pulled).toBe(3);
    expect(aborted).toBe(true);
  });

  it('a server that never answers hits the deadline', async () => {
    const h: UriFetchDeps = {
      lookup: async () => [{ address: PUBLIC, family: 4 }],
      get: (_u, _a, _f, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      deadlineMs: 50,
    };
    await expect(fetchAudioUrl('https://slow.example/a.wav', h)).rejects.toMatchObject({ code: 'audio_fetch_failed', message: expect.stringMatching(/longer than 50 ms/) });
  });

  it('non-200 answers and too many redirects fail clearly', async () => {
    const h404 = harness({ 'cdn.example': [PUBLIC] }, () => ({ ...ok(new Uint8Array(0)), status: 404 }));
    await expect(fetchAudioUrl('https://cdn.example/a.wav', h404.deps)).rejects.toMatchObject({ code: 'audio_fetch_failed', message: expect.stringMatching(/404/) });
    const loop = harness({ 'cdn.example': [PUBLIC] }, () => redirect('/again'));
    await expect(fetchAudioUrl('https://cdn.example/a.wav', loop.deps)).rejects.toMatchObject({ code: 'audio_fetch_failed', message: expect.stringMatching(/redirected more than/) });
  });
});

describe('the default https connection', () => {
  it('goes to the checked address (not a second DNS answer) and verifies TLS for the host name', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer } = await import('node:https');
    const { httpsGet } = await import('./audioUri.js');
    const dir = mkdtempSync(join(tmpdir(), 'hf-uri-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=cdn.test'], { stdio: 'ignore' });
      let hits = 0;
      const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_q, r) => {
        hits++;
        r.end('ok');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      // cdn.test does not resolve anywhere: reaching the server proves the given address was used;
      // the self-signed certificate must then fail verification, so no request is sent.
      await expect(httpsGet(new URL(`https://cdn.test:${port}/a.wav`), '127.0.0.1', 4, AbortSignal.timeout(5_000))).rejects.toThrow(/self[- ]signed|certificate/i);
      expect(hits).toBe(0);
      await new Promise<void>((r) => server.close(() => r()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CERT_VALIDITY_MS, ensureLanCertificate, LAN_TLS_FILE, RENEW_BEFORE_MS } from './certificate.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-lancert-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('LAN certificate', () => {
  it('is made once, kept 0600 with its key, and reused with the same fingerprint', async () => {
    const a = await ensureLanCertificate(dir, NOW, ['192.168.1.20']);
    expect(a.created).toBe(true);
    const path = join(dir, LAN_TLS_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('BEGIN PRIVATE KEY');
    const x = new X509Certificate(a.cert);
    expect(x.fingerprint256).toBe(a.fingerprint256);
    expect(x.subjectAltName).toContain('IP Address:192.168.1.20');
    expect(Date.parse(x.validTo)).toBeGreaterThan(NOW + CERT_VALIDITY_MS - 86_400_000);
    const b = await ensureLanCertificate(dir, NOW + 86_400_000, ['10.0.0.5']);
    expect(b.created).toBe(false);
    expect(b.fingerprint256).toBe(a.fingerprint256);
  });

  it('is replaced near expiry', async () => {
    const a = await ensureLanCertificate(dir, NOW);
    const b = await ensureLanCertificate(dir, NOW + CERT_VALIDITY_MS - RENEW_BEFORE_MS + 1);
    expect(b.created).toBe(true);
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
  });

  it('is replaced when others could read the key, or when the file is malformed', async () => {
    const a = await ensureLanCertificate(dir, NOW);
    const path = join(dir, LAN_TLS_FILE);
    chmodSync(path, 0o644);
    const b = await ensureLanCertificate(dir, NOW);
    expect(b.created).toBe(true);
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, 'garbage', { mode: 0o600 });
    const c = await ensureLanCertificate(dir, NOW);
    expect(c.created).toBe(true);
  });
});

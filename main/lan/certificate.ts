/**
 * The LAN listener's TLS certificate: self-signed (a phone pins its SHA-256 fingerprint from the
 * pairing QR instead of trusting a CA), made once with `selfsigned` (Node 20 cannot build X.509 by
 * itself) and kept with its private key in `<dataDir>/lan-tls.pem`, mode 0600. It is kept across
 * restarts and address changes, so paired phones keep their pin; it is replaced only when it is
 * unreadable, unsafe (readable by others), or within RENEW_BEFORE_MS of expiring.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract/errors.js';
import { ensurePrivateDataDir, readPrivateFile } from '../settings/dataDir.js';

export const LAN_TLS_FILE = 'lan-tls.pem';
/** Certificate lifetime, ms (about two years; phones pin it, so no browser limit applies). */
export const CERT_VALIDITY_MS = 730 * 86_400_000;
/** A certificate this close to expiry is replaced at start (phones then pair again), ms. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface LanCertificate {
  /** PEM private key (PKCS#8, EC P-256). */
  key: string;
  /** PEM certificate. */
  cert: string;
  /** SHA-256 of the DER certificate in Node's `fingerprint256` format (AB:CD:…). */
  fingerprint256: string;
  /** Expiry, epoch ms. */
  validToMs: number;
}

const KEY_RE = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/;
const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/;

/** Parses and checks a stored key + certificate; null when malformed or the key does not match. */
export function parseLanPem(pem: string): LanCertificate | null {
  const key = KEY_RE.exec(pem)?.[0];
  const cert = CERT_RE.exec(pem)?.[0];
  if (key === undefined || cert === undefined) return null;
  try {
    const x = new X509Certificate(cert);
    if (!x.checkPrivateKey(createPrivateKey(key))) return null;
    return { key, cert, fingerprint256: x.fingerprint256, validToMs: Date.parse(x.validTo) };
  } catch {
    return null;
  }
}

/** Writes `text` to `path` through a 0600 temporary file and a rename, so no reader sees a partial or wider-mode file. */
function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** A new self-signed EC P-256 certificate valid from `nowMs` for CERT_VALIDITY_MS. */
export async function createLanCertificate(nowMs: number, ips: readonly string[] = []): Promise<LanCertificate> {
  // Loaded on first use (~0.9 s of imports): most starts reuse the stored certificate, and most never serve the LAN.
  const { generate } = await import('selfsigned');
  const r = await generate([{ name: 'commonName', value: 'HandsFree Dev Companion (LAN)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(nowMs - 60_000),
    notAfterDate: new Date(nowMs + CERT_VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      // The addresses at creation; phones pin the fingerprint, so a later address change is harmless.
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  const parsed = parseLanPem(`${r.private}\n${r.cert}\n`);
  if (parsed === null) throw new Error('selfsigned produced a certificate that does not match its key');
  return parsed;
}

/**
 * The LAN certificate of this data dir, created (0600) on first use or when the stored one is
 * malformed, unsafe or near expiry.
 * @param nowMs wall clock, epoch ms (tests move it).
 * @param ips addresses to name in a new certificate's subjectAltName.
 */
export async function ensureLanCertificate(dataDir: string, nowMs: number = Date.now(), ips: readonly string[] = []): Promise<LanCertificate & { created: boolean }> {
  ensurePrivateDataDir(dataDir);
  const path = join(dataDir, LAN_TLS_FILE);
  let existing: LanCertificate | null = null;
  try {
    const text = readPrivateFile(path, 'the LAN TLS key');
    existing = text === null ? null : parseLanPem(text);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    // Unsafe (others could read the key): it may have leaked, so it is replaced, never used.
    rmSync(path, { force: true });
  }
  if (existing !== null && existing.validToMs - nowMs > RENEW_BEFORE_MS) return { ...existing, created: false };
  const fresh = await createLanCertificate(nowMs, ips);
  writePrivate(path, `${fresh.key}${fresh.key.endsWith('\n') ? '' : '\n'}${fresh.cert}`);
  return { ...fresh, created: true };
}

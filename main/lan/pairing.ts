/**
 * One-time pairing codes that a phone exchanges for its own API key (POST /v1/pairing on the LAN
 * listener). One code is active at a time; it is single-use, expires after PAIRING_CODE_TTL_MS, and
 * is burnt after PAIRING_MAX_FAILED_ATTEMPTS wrong guesses. Attempts are also limited per minute
 * overall, so the 10^8 code space cannot be walked even across fresh codes.
 */
import { randomInt } from 'node:crypto';
import {
  PAIRED_KEY_NAME_PREFIX,
  PAIRING_CODE_DIGITS,
  PAIRING_CODE_TTL_MS,
  PAIRING_MAX_FAILED_ATTEMPTS,
  pairingUri,
  type PairedDevice,
  type PairingOffer,
  type PairingStatus,
  type PairRequest,
  type PairResponse,
} from '../../contract/pairing.js';
import type { ApiKeyRepository } from '../../core/ports/store.js';
import { constantTimeEqual, generateApiKey, newApiKeyId } from '../server/auth.js';
import { HttpError } from '../server/errorStatus.js';
import { qrMatrix } from './qr.js';

/** Pairing attempts (right or wrong) accepted per minute, all peers together. */
export const PAIRING_ATTEMPTS_PER_MIN = 10;
const MINUTE_MS = 60_000;
const LAN_OFF = 'The LAN listener is off: turn on "Pair a phone over the LAN" in Settings and restart (or run handsfree serve --lan).';

export interface PairingDeps {
  apiKeys: ApiKeyRepository;
  /** The user a paired phone acts as (the desktop's own user). */
  userId: string;
  /** Requests per minute given to a paired phone's key. */
  keyRatePerMin: number;
  /** Wall clock, epoch ms (tests move it). */
  nowMs?: () => number;
  /** Code lifetime, ms. Default PAIRING_CODE_TTL_MS. */
  ttlMs?: number;
  /** A fresh code (tests); default PAIRING_CODE_DIGITS random digits from the CSPRNG. */
  newCode?: () => string;
}

interface ActiveCode {
  code: string;
  expiresAtMs: number;
  failed: number;
}

function randomCode(): string {
  let s = '';
  for (let i = 0; i < PAIRING_CODE_DIGITS; i++) s += String(randomInt(10));
  return s;
}

function pairingRefused(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}

export class PairingService {
  private active: ActiveCode | null = null;
  private endpoint: { url: string; fingerprint256: string } | null = null;
  private offReason: string | null = LAN_OFF;
  private attempts: number[] = [];
  private readonly nowMs: () => number;
  private readonly ttlMs: number;
  private readonly newCode: () => string;

  constructor(private readonly d: PairingDeps) {
    this.nowMs = d.nowMs ?? Date.now;
    this.ttlMs = d.ttlMs ?? PAIRING_CODE_TTL_MS;
    this.newCode = d.newCode ?? randomCode;
  }

  /**
   * Where phones reach the LAN listener; set once it listens, null when it stops or is off
   * (offers are refused then), with the reason Settings shows.
   */
  setEndpoint(endpoint: { url: string; fingerprint256: string } | null, offReason?: string): void {
    this.endpoint = endpoint;
    this.offReason = endpoint === null ? (offReason ?? LAN_OFF) : null;
    if (endpoint === null) this.active = null;
  }

  /** The user a paired phone acts as (only that user may offer codes or revoke phones). */
  get userId(): string {
    return this.d.userId;
  }

  /** For Settings → Pair a phone. */
  status(): PairingStatus {
    const e = this.endpoint;
    return { lan: { running: e !== null, url: e?.url ?? null, fingerprint256: e?.fingerprint256 ?? null, reason: this.offReason }, devices: this.devices() };
  }

  get lanEndpoint(): { url: string; fingerprint256: string } | null {
    return this.endpoint;
  }

  /** A new one-time code (replacing any earlier one) with the QR payload naming the LAN URL and certificate. */
  async offer(): Promise<PairingOffer> {
    if (this.endpoint === null) throw new HttpError(409, 'not_supported', this.offReason ?? LAN_OFF);
    const code = this.newCode();
    const expiresAtMs = this.nowMs() + this.ttlMs;
    this.active = { code, expiresAtMs, failed: 0 };
    const payload = pairingUri({ url: this.endpoint.url, fingerprint256: this.endpoint.fingerprint256, code });
    return { code, expires_at: new Date(expiresAtMs).toISOString(), url: this.endpoint.url, fingerprint256: this.endpoint.fingerprint256, payload, qr: await qrMatrix(payload) };
  }

  /** Forgets the active code (the desktop closed the pairing panel). */
  cancel(): void {
    this.active = null;
  }

  /**
   * Exchanges the active code for a new API key of `userId`. The code works once.
   * @throws HttpError 429 past PAIRING_ATTEMPTS_PER_MIN, 401 for a wrong, used, burnt or expired code.
   */
  redeem(req: PairRequest): PairResponse {
    const now = this.nowMs();
    this.attempts = this.attempts.filter((t) => now - t < MINUTE_MS);
    if (this.attempts.length >= PAIRING_ATTEMPTS_PER_MIN) {
      const retry = Math.max(1, Math.ceil((MINUTE_MS - (now - (this.attempts[0] ?? now))) / 1000));
      throw new HttpError(429, 'rate_limited', `Too many pairing attempts; retry in ${retry} s.`, { 'Retry-After': String(retry) });
    }
    this.attempts.push(now);
    const a = this.active;
    if (a === null) throw pairingRefused('No pairing code is active: show a new one on the desktop (Settings → Pair a phone).');
    if (now >= a.expiresAtMs) {
      this.active = null;
      throw pairingRefused('The pairing code has expired: show a new one on the desktop.');
    }
    if (!constantTimeEqual(req.code, a.code)) {
      a.failed += 1;
      if (a.failed >= PAIRING_MAX_FAILED_ATTEMPTS) {
        this.active = null;
        throw pairingRefused('Wrong pairing code; too many wrong codes, so this one is burnt: show a new one on the desktop.');
      }
      throw pairingRefused('Wrong pairing code.');
    }
    // Single use: gone before the key exists, so a racing second request cannot also succeed.
    this.active = null;
    const fingerprint256 = this.endpoint?.fingerprint256;
    if (fingerprint256 === undefined) throw pairingRefused('The LAN listener has stopped.');
    const { key, hash } = generateApiKey();
    const id = newApiKeyId();
    this.d.apiKeys.insert({ id, name: `${PAIRED_KEY_NAME_PREFIX}${req.device_name}`, userId: this.d.userId, hash, rateLimitPerMin: this.d.keyRatePerMin, createdAtMs: now, revokedAtMs: null });
    return { api_key: key, key_id: id, user_id: this.d.userId, device_name: req.device_name, created_at: new Date(now).toISOString(), fingerprint256 };
  }

  /** Phones paired and not revoked, oldest first. */
  devices(): PairedDevice[] {
    return this.d.apiKeys
      .list()
      .filter((k) => k.revokedAtMs === null && k.name.startsWith(PAIRED_KEY_NAME_PREFIX))
      .sort((x, y) => x.createdAtMs - y.createdAtMs)
      .map((k) => ({ key_id: k.id, device_name: k.name.slice(PAIRED_KEY_NAME_PREFIX.length), created_at: new Date(k.createdAtMs).toISOString() }));
  }

  /** Revokes a paired phone's key; false when `keyId` is no active paired key (other API keys are not touched here). */
  revoke(keyId: string): boolean {
    if (!this.devices().some((dev) => dev.key_id === keyId)) return false;
    return this.d.apiKeys.revoke(keyId, this.nowMs());
  }
}

/**
 * Pairing a phone with the desktop companion over the LAN (pure: zod only).
 *
 * The desktop shows a one-time code and a QR code of `pairingUri()`: the LAN listener's https URL,
 * the SHA-256 fingerprint of its self-signed certificate (the phone pins it instead of trusting a
 * CA) and the code. The phone connects, checks the served certificate's fingerprint against the
 * one in the QR, and POSTs the code to /v1/pairing to get its own API key.
 */
import { z } from 'zod';

/** Scheme of the QR payload, so a phone's scanner can route it to the app. */
export const PAIRING_URI_PREFIX = 'handsfree://pair?';
/** Digits in a pairing code (typed by hand when the QR cannot be scanned). */
export const PAIRING_CODE_DIGITS = 8;
/** How long a pairing code stays valid, ms. */
export const PAIRING_CODE_TTL_MS = 5 * 60_000;
/** Wrong codes tried against one code before it is burnt (the desktop must show a new one). */
export const PAIRING_MAX_FAILED_ATTEMPTS = 5;
/** Name prefix of the API keys pairing creates, so Settings can list and revoke them. */
export const PAIRED_KEY_NAME_PREFIX = 'phone: ';

export const PairingCodeSchema = z.string().regex(new RegExp(`^[0-9]{${PAIRING_CODE_DIGITS}}$`), `code: ${PAIRING_CODE_DIGITS} digits`);
/** Node's `fingerprint256` format (what tls' getPeerCertificate() reports): 32 upper-case hex bytes joined by ':'. */
export const Fingerprint256Schema = z.string().regex(/^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/, 'fingerprint256: 32 hex bytes separated by ":"');
/** An https origin with an IP literal (or name) and a port, no path: where the LAN listener answers. */
const LanUrlSchema = z.string().regex(/^https:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/, 'url: an https origin with a port, no path');

export const PairingPayloadSchema = z.strictObject({
  url: LanUrlSchema,
  fingerprint256: Fingerprint256Schema,
  code: PairingCodeSchema,
});
export type PairingPayload = z.infer<typeof PairingPayloadSchema>;

/** The text the QR code encodes, e.g. `handsfree://pair?url=https%3A%2F%2F192.168.1.20%3A8766&fingerprint256=AB%3A…&code=12345678`. */
export function pairingUri(p: PairingPayload): string {
  const ok = PairingPayloadSchema.parse(p);
  const q = (['url', 'fingerprint256', 'code'] as const).map((k) => `${k}=${encodeURIComponent(ok[k])}`);
  return `${PAIRING_URI_PREFIX}${q.join('&')}`;
}

/** Reads a scanned QR payload back; throws a zod error naming the bad field. */
export function parsePairingUri(text: string): PairingPayload {
  if (!text.startsWith(PAIRING_URI_PREFIX)) throw new Error(`not a pairing code: expected ${PAIRING_URI_PREFIX}…`);
  const q: Record<string, string> = {};
  for (const part of text.slice(PAIRING_URI_PREFIX.length).split('&')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i);
    if (k in q) throw new Error(`pairing code: ${k} is repeated`);
    q[k] = decodeURIComponent(part.slice(i + 1));
  }
  return PairingPayloadSchema.parse({ url: q['url'], fingerprint256: q['fingerprint256'], code: q['code'] });
}

/** POST /v1/pairing (LAN listener; no API key yet: the one-time code is the credential). */
export const PairRequestSchema = z.strictObject({
  code: PairingCodeSchema,
  /** Shown in Settings beside the paired key, e.g. "Pixel 8". */
  device_name: z.string().trim().min(1).max(60).regex(/^[\p{L}\p{N} ._'()-]+$/u, 'device_name: letters, digits, spaces and . _ \' ( ) -'),
});
export type PairRequest = z.infer<typeof PairRequestSchema>;

export const PairResponseSchema = z.strictObject({
  /** Shown once; send it as `Authorization: Bearer <api_key>` on every LAN request. */
  api_key: z.string(),
  key_id: z.string(),
  user_id: z.string(),
  device_name: z.string(),
  created_at: z.string(),
  /** The certificate to pin from now on (same as in the QR). */
  fingerprint256: Fingerprint256Schema,
});
export type PairResponse = z.infer<typeof PairResponseSchema>;

/** The QR code as rows of modules ('1' dark, '0' light), for the renderer to draw without a library. */
export const QrMatrixSchema = z.strictObject({ size: z.number().int().min(21).max(177), rows: z.array(z.string().regex(/^[01]+$/)) });
export type QrMatrix = z.infer<typeof QrMatrixSchema>;

/** A pairing offer for the desktop UI (and POST /v1/pairing/offer on loopback). */
export const PairingOfferSchema = z.strictObject({
  code: PairingCodeSchema,
  /** When the code stops working, ISO 8601. */
  expires_at: z.string(),
  url: z.string(),
  fingerprint256: Fingerprint256Schema,
  /** The QR's text (pairingUri). */
  payload: z.string(),
  qr: QrMatrixSchema,
});
export type PairingOffer = z.infer<typeof PairingOfferSchema>;

export const PairedDeviceSchema = z.strictObject({ key_id: z.string(), device_name: z.string(), created_at: z.string() });
export type PairedDevice = z.infer<typeof PairedDeviceSchema>;

/** Settings → "Pair a phone": whether the LAN listener runs, where, and the paired phones (active keys). */
export const PairingStatusSchema = z.strictObject({
  lan: z.strictObject({ running: z.boolean(), url: z.string().nullable(), fingerprint256: Fingerprint256Schema.nullable(), reason: z.string().nullable() }),
  devices: z.array(PairedDeviceSchema),
});
export type PairingStatus = z.infer<typeof PairingStatusSchema>;

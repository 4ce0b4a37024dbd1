/** The pairing offer as the terminal shows it (`handsfree serve --lan`, `handsfree pair`). */
import type { PairingOffer } from '../../contract/pairing.js';
import { qrTerminal } from './qr.js';

export async function formatOfferForTerminal(o: PairingOffer): Promise<string> {
  const minutes = Math.max(1, Math.round((Date.parse(o.expires_at) - Date.now()) / 60_000));
  return [
    'Pair a phone: scan this QR code in the phone app (same network), or type the code.',
    await qrTerminal(o.payload),
    `  Pairing code: ${o.code} (one use, expires in ${minutes} min; handsfree pair shows a new one)`,
    `  LAN URL:      ${o.url}`,
    `  Certificate:  SHA-256 ${o.fingerprint256}`,
    '',
  ].join('\n');
}

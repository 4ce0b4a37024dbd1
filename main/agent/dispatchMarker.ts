/**
 * The public marker of an agent dispatch: HMAC-SHA256 of the action token under a per-install
 * key, so the marker published in a GitHub issue (or Copilot's instructions) reveals nothing of
 * the confirmation token, and nobody without the key can compute a marker for a token.
 */
import { createHmac } from 'node:crypto';
import { ensureLocalSecret } from '../server/localSecret.js';

/** The key file in the data dir (0600, like the API secret). */
export const DISPATCH_KEY_FILE = 'dispatch-marker-key';
/** Marker length in hex chars (128 bits; MARKER_RE accepts 8–64). */
export const MARKER_HEX_CHARS = 32;

/** A marker function under `key` (deterministic: the same token always gets the same marker). */
export function hmacDispatchMarker(key: string): (token: string) => string {
  return (token) => createHmac('sha256', key).update('handsfree-dispatch-marker\0').update(token).digest('hex').slice(0, MARKER_HEX_CHARS);
}

/** The marker function of the install whose data dir is `dataDir` (its key created on first use). */
export function dispatchMarkerFor(dataDir: string): (token: string) => string {
  return hmacDispatchMarker(ensureLocalSecret(dataDir, DISPATCH_KEY_FILE));
}

/**
 * GitHub webhook signatures (X-Hub-Signature-256) via @octokit/webhooks-methods, which compares
 * with crypto.timingSafeEqual (WH-10). Lives here because @octokit/* is only imported by main/github.
 */
import { sign, verifyWithFallback } from '@octokit/webhooks-methods';

/**
 * True only for `sha256=<64 lowercase hex>` equal to HMAC-SHA256(secret, body) for the secret or one
 * of `previousSecrets` (rotation window). `body` must be the exact bytes received; bytes that are
 * not valid UTF-8 are rejected (the library signs a string, GitHub signs bytes).
 */
export async function verifyWebhookSignature(secret: string, body: Buffer, signature: string | undefined, previousSecrets: readonly string[] = []): Promise<boolean> {
  if (secret === '' || signature === undefined || body.length === 0) return false;
  if (!/^sha256=[0-9a-f]{64}$/.test(signature)) return false;
  const text = body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(body)) return false;
  return verifyWithFallback(secret, text, signature, previousSecrets.filter((s) => s !== ''));
}

/** `sha256=…` for `body` (tests and local relays). */
export function signWebhook(secret: string, body: string): Promise<string> {
  return sign(secret, body);
}

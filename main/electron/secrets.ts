/**
 * The GitHub token in Electron: encrypted with safeStorage (OS keychain / DPAPI / libsecret) and
 * stored as base64 in electron-store. On Linux's 'basic_text' backend (no keyring) encryption is
 * obfuscation only, so saving is refused unless the user opted in to plaintext.
 */
import { AppError } from '../../contract/errors.js';
import type { SecretStatus } from '../../contract/ipc.js';
import type { SecretBackend } from '../settings/settingsStore.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}
export interface KvLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const KEY = 'secrets.githubToken';

export class SafeStorageSecretBackend implements SecretBackend {
  /** Why the stored token could not be decrypted (e.g. the keyring changed); null when it could, or none is stored. */
  decryptError: string | null = null;

  constructor(
    private readonly safe: SafeStorageLike,
    private readonly kv: KvLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  private weakBackend(): boolean {
    return !this.safe.isEncryptionAvailable() || (this.platform === 'linux' && this.safe.getSelectedStorageBackend?.() === 'basic_text');
  }

  /**
   * The stored token, or undefined when there is none or it cannot be decrypted (another keyring,
   * a reset OS key): the app then runs without it and `decryptError` / `status()` say why, instead
   * of start-up failing on the exception.
   */
  read(): string | undefined {
    const v = this.kv.get(KEY);
    this.decryptError = null;
    if (typeof v !== 'string') return undefined;
    if (!this.safe.isEncryptionAvailable()) {
      this.decryptError = 'encryption is not available (OS keychain locked or missing)';
      return undefined;
    }
    try {
      return this.safe.decryptString(Buffer.from(v, 'base64'));
    } catch (e) {
      this.decryptError = e instanceof Error ? e.message.slice(0, 200) : 'decryption failed';
      return undefined;
    }
  }

  status(allowPlaintext: boolean): SecretStatus {
    const configured = typeof this.kv.get(KEY) === 'string' && this.decryptError === null;
    if (this.decryptError !== null) {
      return {
        configured: false,
        source: 'none',
        canSave: !this.weakBackend() || allowPlaintext,
        description: `The saved GitHub token could not be decrypted (${this.decryptError}); the app runs without it. Save the token again.`,
      };
    }
    if (this.weakBackend()) {
      return {
        configured,
        source: configured ? 'plaintext' : 'none',
        canSave: allowPlaintext,
        description: 'No OS keychain is available: a saved token would be stored without real encryption. Allow plaintext storage to save anyway, or set HANDSFREE_GITHUB_TOKEN.',
      };
    }
    return { configured, source: configured ? 'keychain' : 'none', canSave: true, description: configured ? 'GitHub token is stored encrypted with the OS keychain.' : 'No GitHub token yet; it will be stored encrypted with the OS keychain.' };
  }

  save(token: string, allowPlaintext: boolean): void {
    if (this.weakBackend() && !allowPlaintext) throw new AppError('forbidden', 'Refusing to store the GitHub token: no OS keychain is available and plaintext storage is not allowed.');
    this.kv.set(KEY, this.safe.encryptString(token).toString('base64'));
    this.decryptError = null;
  }
}

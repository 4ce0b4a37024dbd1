import { describe, expect, it } from 'vitest';
import { SafeStorageSecretBackend, type SafeStorageLike } from './secrets.js';

const kv = () => {
  const m = new Map<string, unknown>();
  return { get: (k: string) => m.get(k), set: (k: string, v: unknown) => void m.set(k, v), m };
};
const safe = (backend: string, available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from(`enc:${s}`),
  decryptString: (b) => b.toString().replace(/^enc:/, ''),
  getSelectedStorageBackend: () => backend,
});

describe('SafeStorageSecretBackend (SEC-11/12)', () => {
  it('round-trips through the keychain and never stores the plain token', () => {
    const store = kv();
    const s = new SafeStorageSecretBackend(safe('gnome_libsecret'), store, 'linux');
    s.save('ghp_secret123', false);
    expect(JSON.stringify([...store.m.values()])).not.toContain('ghp_secret123');
    expect(s.read()).toBe('ghp_secret123');
    expect(s.status(false)).toMatchObject({ configured: true, source: 'keychain' });
  });
  it('refuses basic_text (no keyring) unless the user opted in', () => {
    const store = kv();
    const s = new SafeStorageSecretBackend(safe('basic_text'), store, 'linux');
    expect(() => s.save('ghp_x', false)).toThrow(/Refusing/);
    expect(store.m.size).toBe(0);
    expect(s.status(false).canSave).toBe(false);
    s.save('ghp_x', true);
    expect(s.status(true).source).toBe('plaintext');
  });
});

describe('SafeStorageSecretBackend: a token that cannot be decrypted', () => {
  it('reads as no token, says why in the status, and a new save clears it', () => {
    const store = kv();
    const good = new SafeStorageSecretBackend(safe('gnome_libsecret'), store, 'linux');
    good.save('ghp_secret123', false);
    const broken = new SafeStorageSecretBackend({ ...safe('gnome_libsecret'), decryptString: () => { throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.'); } }, store, 'linux');
    expect(() => broken.read()).not.toThrow();
    expect(broken.read()).toBeUndefined();
    expect(broken.decryptError).toMatch(/decrypting/);
    expect(broken.status(false)).toMatchObject({ configured: false, source: 'none', canSave: true });
    expect(broken.status(false).description).toMatch(/could not be decrypted.*runs without it/);
    broken.save('ghp_new', false);
    expect(broken.decryptError).toBeNull();
  });
  it('a locked keychain (encryption unavailable) is reported the same way', () => {
    const store = kv();
    new SafeStorageSecretBackend(safe('gnome_libsecret'), store, 'linux').save('ghp_x', false);
    const locked = new SafeStorageSecretBackend(safe('gnome_libsecret', false), store, 'linux');
    expect(locked.read()).toBeUndefined();
    expect(locked.status(true).description).toMatch(/could not be decrypted/);
  });
});

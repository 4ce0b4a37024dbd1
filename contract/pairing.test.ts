import { describe, expect, it } from 'vitest';
import { pairingUri, parsePairingUri } from './pairing.js';

const FP = Array.from({ length: 32 }, () => 'AB').join(':');

describe('pairing URI', () => {
  it('round-trips URL, fingerprint and code', () => {
    const p = { url: 'https://192.168.1.20:8766', fingerprint256: FP, code: '01234567' };
    const text = pairingUri(p);
    expect(text.startsWith('handsfree://pair?')).toBe(true);
    expect(parsePairingUri(text)).toEqual(p);
  });

  it('round-trips an IPv6 URL', () => {
    const p = { url: 'https://[fe80::1]:8766', fingerprint256: FP, code: '76543210' };
    expect(parsePairingUri(pairingUri(p))).toEqual(p);
  });

  it('refuses plain http, a path, a short code, a bad fingerprint, a foreign scheme and repeated fields', () => {
    expect(() => pairingUri({ url: 'http://192.168.1.20:8766', fingerprint256: FP, code: '01234567' })).toThrow();
    expect(() => pairingUri({ url: 'https://192.168.1.20:8766/x', fingerprint256: FP, code: '01234567' })).toThrow();
    expect(() => pairingUri({ url: 'https://192.168.1.20:8766', fingerprint256: FP, code: '1234' })).toThrow();
    expect(() => pairingUri({ url: 'https://192.168.1.20:8766', fingerprint256: FP.toLowerCase(), code: '01234567' })).toThrow();
    expect(() => parsePairingUri('https://example.com/?code=01234567')).toThrow(/not a pairing code/);
    const ok = pairingUri({ url: 'https://192.168.1.20:8766', fingerprint256: FP, code: '01234567' });
    expect(() => parsePairingUri(`${ok}&code=11111111`)).toThrow(/repeated/);
  });
});

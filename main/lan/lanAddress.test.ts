import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../server/httpServer.js';
import { defaultLanAddress, isPrivateIpv4 } from './lanAddress.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal }) as NetworkInterfaceInfo;

describe('LAN address choice', () => {
  it('knows the RFC 1918 ranges', () => {
    for (const ip of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.20']) expect(isPrivateIpv4(ip), ip).toBe(true);
    for (const ip of ['172.15.0.1', '172.32.0.1', '8.8.8.8', '127.0.0.1', '169.254.1.1', '192.169.0.1', 'x.y.z.w']) expect(isPrivateIpv4(ip), ip).toBe(false);
  });

  it('prefers a private IPv4 of a non-internal interface, else any external IPv4, else none', () => {
    expect(defaultLanAddress({ lo: [nic('127.0.0.1', 'IPv4', true)], eth0: [nic('fe80::1', 'IPv6'), nic('203.0.113.5', 'IPv4')], wlan0: [nic('192.168.1.20', 'IPv4')] })).toBe('192.168.1.20');
    expect(defaultLanAddress({ eth0: [nic('203.0.113.5', 'IPv4')] })).toBe('203.0.113.5');
    expect(defaultLanAddress({ lo: [nic('127.0.0.1', 'IPv4', true)] })).toBeNull();
  });
});

describe('LAN listener binding', () => {
  it('binds one interface\'s IP literal, never a wildcard or a name', async () => {
    const base = { service: {} as never, apiKeys: {} as never, authMode: 'local' as const, lan: { tls: { key: '', cert: '' } } };
    for (const host of ['0.0.0.0', '::', 'my-laptop.local']) await expect(startHttpServer({ ...base, host })).rejects.toThrow(/LAN listener binds/);
  });
});

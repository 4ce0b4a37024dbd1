/** Which address the LAN listener offers phones when none is configured. */
import { networkInterfaces } from 'node:os';

/** True for RFC 1918 IPv4 (10/8, 172.16/12, 192.168/16): home and office networks. */
export function isPrivateIpv4(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a, b] = p as [number, number, number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * The address to offer phones: the first private IPv4 of a non-internal interface (else any
 * non-internal IPv4); null when this machine has none. `interfaces` is os.networkInterfaces() (tests pass their own).
 */
export function defaultLanAddress(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string | null {
  const v4 = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
  return v4.find(isPrivateIpv4) ?? v4[0] ?? null;
}

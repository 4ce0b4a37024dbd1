/**
 * The packaged app, checked without the Electron binary (it cannot be downloaded here): the
 * builder config passes electron-builder's own schema validation, icons and macOS microphone
 * permissions are in place, the .deb pulls in the offline speech stack, and the add-on's binary
 * is in what `asarUnpack` extracts (the loader's packaged-layout test is in native/audio-addon/test).
 */
import { readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
type BuilderConfig = Record<string, unknown> & {
  asarUnpack: string[];
  mac: { icon: string; entitlements: string; extendInfo: Record<string, string> };
  win: { icon: string };
  linux: { icon: string };
  deb: { depends: string[] };
};
const noDebug = { isEnabled: false, add(): void {} };

async function builder(): Promise<{ config: BuilderConfig; validate: (c: unknown) => Promise<void> }> {
  // electron-builder's own loader and validator (app-builder-lib is what the CLI runs).
  const mod = (await import(join(root, 'node_modules', 'app-builder-lib', 'out', 'util', 'config', 'config.js'))) as {
    getConfig(dir: string, file: string, extra: null): Promise<BuilderConfig>;
    validateConfiguration(c: unknown, log: typeof noDebug): Promise<void>;
  };
  const config = await mod.getConfig(root, join(root, 'electron-builder.yml'), null);
  return { config, validate: (c) => mod.validateConfiguration(c, noDebug) };
}

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('packaging (electron-builder.yml)', () => {
  it("passes electron-builder's schema validation, and a wrong field would not", async () => {
    const { config, validate } = await builder();
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, mac: { ...config.mac, microphone: true } })).rejects.toThrow(/configuration/i);
  });

  it('has icons for all three platforms, from one 1024 px source', async () => {
    const { config } = await builder();
    for (const icon of [config.mac.icon, config.win.icon]) expect(pngSize(join(root, icon))).toEqual({ width: 1024, height: 1024 });
    for (const s of [16, 32, 48, 128, 256, 512]) expect(pngSize(join(root, config.linux.icon, `${s}x${s}.png`))).toEqual({ width: s, height: s });
  });

  it('asks macOS for the microphone: usage string and the audio-input entitlement', async () => {
    const { config } = await builder();
    expect(config.mac.extendInfo['NSMicrophoneUsageDescription']).toMatch(/voice|microphone/i);
    expect(readFileSync(join(root, config.mac.entitlements), 'utf8')).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
  });

  it('the .deb depends on the offline speech stack and the add-on libraries', async () => {
    const { config } = await builder();
    for (const p of ['pocketsphinx-en-us', 'libpocketsphinx3', 'espeak-ng', 'sox', 'libportaudio2', 'libpulse0', 'libspeexdsp1']) expect(config.deb.depends).toContain(p);
  });

  it("unpacks the add-on's binary and its package from the asar archive", async () => {
    const { config } = await builder();
    const binary = 'node_modules/@handsfree/audio-addon/build/Release/handsfree_audio.node';
    expect(config.asarUnpack.some((g) => matchesGlob(binary, g))).toBe(true);
    const addonPkg = JSON.parse(readFileSync(join(root, 'native', 'audio-addon', 'package.json'), 'utf8')) as { files: string[] };
    expect(addonPkg.files).toContain('build/Release/handsfree_audio.node');
  });
});

#!/usr/bin/env node
// Renders build-resources/icon.svg to the PNGs electron-builder packages (it derives the macOS
// .icns and the Windows .ico from icon.png). Uses Debian's Chromium through playwright-core, so
// no image tool is needed. Run after editing the SVG: `node scripts/make-icons.mjs`.
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'build-resources', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.HANDSFREE_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  const shot = async (size, file) => {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg style="display:block;width:${size}px;height:${size}px" `)}</body></html>`);
    await page.screenshot({ path: file, omitBackground: true });
  };
  await shot(1024, join(root, 'build-resources', 'icon.png'));
  mkdirSync(join(root, 'build-resources', 'icons'), { recursive: true });
  // Linux desktop icons by size (electron-builder reads a directory of NxN.png).
  for (const s of [16, 32, 48, 64, 128, 256, 512]) await shot(s, join(root, 'build-resources', 'icons', `${s}x${s}.png`));
} finally {
  await browser.close();
}

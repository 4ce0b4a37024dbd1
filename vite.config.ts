import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer bundle, served by main/ui in browser mode and loaded from disk by the Electron shell.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../build/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022', modulePreload: { polyfill: false } },
  logLevel: 'error',
});

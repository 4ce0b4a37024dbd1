/** Moved to main/audio/addonAudio.ts (the add-on is loaded only under main/audio); kept for existing imports. */
export * from '../audio/addonAudio.js';

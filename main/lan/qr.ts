/**
 * The pairing QR code, made with `qrcode`: as a matrix of modules for the renderer to draw (no QR
 * library and no data: URL in the page) and as text for a terminal (`handsfree serve --lan`).
 */
/** qrcode loads on the first QR (~0.2 s of imports), not with the server. */
const loadQr = async () => (await import('qrcode')).default;
import type { QrMatrix } from '../../contract/pairing.js';

/** Error correction M (15 %): a phone camera reads it off a screen with glare. */
const ECL = 'M' as const;

/** The QR code of `text` as rows of '1' (dark) and '0' (light), without the quiet zone. */
export async function qrMatrix(text: string): Promise<QrMatrix> {
  const { modules } = (await loadQr()).create(text, { errorCorrectionLevel: ECL });
  const rows: string[] = [];
  for (let r = 0; r < modules.size; r++) {
    let row = '';
    for (let c = 0; c < modules.size; c++) row += modules.get(r, c) ? '1' : '0';
    rows.push(row);
  }
  return { size: modules.size, rows };
}

/** The QR code of `text` drawn with block characters, for a terminal. */
export async function qrTerminal(text: string): Promise<string> {
  return (await loadQr()).toString(text, { type: 'terminal', small: true, errorCorrectionLevel: ECL });
}

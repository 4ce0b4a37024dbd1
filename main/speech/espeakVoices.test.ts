import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ESPEAK_VOICES, espeakAvailable, espeakVoices, parseEspeakVoices } from './espeak.js';

/** `espeak-ng --voices=en` on Debian 13 (espeak-ng 1.52 with mbrola voice definitions). */
const TABLE = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 3  en-uk           --/M      english-mb-en1     mb/mb-en1            (en-gb 3)(en 2)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  en-gb-scotland  --/M      English_(Scotland) gmw/en-GB-scotland   (en 4)
 5  en-gb-x-rp      --/M      English_(Received_Pronunciation) gmw/en-GB-x-rp       (en-gb 4)(en 5)
 5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
 9  en              --/F      en-german-1        mb/mb-de1-en
 5  en-029          --/M      English_(Caribbean) gmw/en-029
 5  variant         --/M      Storm              !v/Storm             (en-us 5)
 5  en-us-nyc       --/M      English_(America,_New_York_City) gmw/en-US-nyc
`;

describe('espeak-ng voices', () => {
  it('parses the installed voice table: espeak voices by language name, no MBROLA, no variants, no duplicates', () => {
    expect(parseEspeakVoices(TABLE)).toEqual(['en-gb', 'en-us', 'en-gb-scotland', 'en-gb-x-rp', 'en-029', 'en-us-nyc']);
    expect(parseEspeakVoices('')).toEqual([]);
    expect(parseEspeakVoices('Pty Language\n 2  en;rm -rf  --/M  x  gmw/x\n')).toEqual([]);
  });

  it.skipIf(!espeakAvailable())('offers the curated voices first, then what this espeak-ng has installed, each one it can speak', () => {
    const voices = espeakVoices();
    expect(voices.slice(0, ESPEAK_VOICES.length)).toEqual([...ESPEAK_VOICES]);
    const listed = execFileSync('espeak-ng', ['--voices=en'], { encoding: 'utf8' });
    for (const v of voices.slice(ESPEAK_VOICES.length)) expect(listed).toContain(` ${v} `);
    expect(new Set(voices).size).toBe(voices.length);
  });
});

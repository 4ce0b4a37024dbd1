import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MAX_TTS_TEXT_CHARS, TTS_FORMATS, type TtsFormatName, type TtsProviderName } from '../../contract/api.js';
import { useApp } from '../components/StoreContext.js';

/** TTS test: type text, pick provider/voice/format, play the result here, see time to first audio. */
export function TtsScreen() {
  const choices = useApp((s) => s.ttsChoices);
  const load = useApp((s) => s.loadTtsChoices);
  const synthesize = useApp((s) => s.synthesize);
  const running = useApp((s) => s.ttsRunning);
  const result = useApp((s) => s.ttsResult);
  const url = useApp((s) => s.ttsAudioUrl);
  const error = useApp((s) => s.ttsError);
  const [text, setText] = useState('Merged PR 12 in acme/api.');
  const [provider, setProvider] = useState<TtsProviderName | null>(null);
  const [voice, setVoice] = useState('');
  const [format, setFormat] = useState<TtsFormatName>('wav');
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    void load();
  }, [load]);
  const current = provider ?? choices?.default_provider ?? null;
  const voices = choices?.providers.find((p) => p.provider === current)?.voices ?? [];
  // A new result plays at once (the click that asked for it is the user gesture).
  useEffect(() => {
    if (url !== null) void audio.current?.play().catch(() => undefined);
  }, [url]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (current === null || text.trim() === '') return;
    void synthesize({ text, format, provider: current, ...(voice !== '' && voices.includes(voice) ? { voice } : {}) });
  };
  return (
    <section aria-labelledby="tts-h">
      <h2 id="tts-h">TTS test</h2>
      <form onSubmit={onSubmit} className="card">
        <label htmlFor="tts-text">Text to speak</label>
        <textarea id="tts-text" rows={3} maxLength={MAX_TTS_TEXT_CHARS} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="row">
          <label htmlFor="tts-provider">Provider</label>
          <select id="tts-provider" value={current ?? ''} disabled={choices === null} onChange={(e) => { setProvider(e.target.value as TtsProviderName); setVoice(''); }}>
            {(choices?.providers ?? []).map((p) => <option key={p.provider} value={p.provider}>{p.provider}</option>)}
          </select>
          <label htmlFor="tts-voice">Voice</label>
          <select id="tts-voice" value={voice === '' ? (voices[0] ?? '') : voice} onChange={(e) => setVoice(e.target.value)}>
            {voices.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
          <label htmlFor="tts-format">Format</label>
          <select id="tts-format" value={format} onChange={(e) => setFormat(e.target.value as TtsFormatName)}>
            {TTS_FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </div>
        <button type="submit" className="primary" data-action="tts.play" disabled={running || current === null || text.trim() === ''}>{running ? 'Synthesizing…' : 'Play'}</button>
      </form>
      {error !== null ? <p className="warning" role="alert" data-testid="tts-error">{error}</p> : null}
      {result !== null ? (
        <dl className="kv" data-testid="tts-result">
          <dt>Time to first audio</dt><dd data-testid="tts-ttfa">{result.first_audio_ms} ms{result.cached ? ' (cached)' : ''}</dd>
          <dt>Provider</dt><dd>{result.provider}, voice {result.voice}</dd>
          <dt>Audio</dt><dd>{result.format} ({result.content_type}), {(result.duration_ms / 1000).toFixed(1)} s</dd>
          {result.notice !== null ? <><dt>Note</dt><dd>{result.notice}</dd></> : null}
        </dl>
      ) : null}
      {url !== null ? <audio ref={audio} controls src={url} data-testid="tts-audio" aria-label="Synthesized speech" /> : null}
    </section>
  );
}

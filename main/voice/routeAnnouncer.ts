/**
 * Turns the add-on's route events into what the user is told (product.md: "Your glasses
 * disconnected; I'm using the laptop microphone."): an 'audio.warning' per change for every UI,
 * and one spoken sentence per burst of events (unplugging a headset removes its sink and its mic
 * and moves both defaults within a few hundred ms: that is one announcement, not four).
 *
 * Device names come from the device list seen before the change: a removed headset is no longer
 * listed when its removal is reported.
 *
 * The watcher's events are not the only evidence: its first look at the routes can come after a
 * change (a busy machine, a slow audio server), and then neither the loss nor the move of the
 * default mic is an event. So its first look is followed by a device list (catchUp), and a burst
 * that loses a device also compares the default mic before and after, from the device lists, and
 * reports a fallback from a Bluetooth mic the events did not.
 */
import type { AudioWarningEvent, AudioWarningKind } from '../../contract/events.js';
import type { AudioDeviceInfo, AudioRouteEvent } from '../../core/ports/audio.js';

export interface RouteAnnouncerDeps {
  /** Current devices (refreshed after every burst, so names of later removals are known). */
  listDevices(): Promise<readonly AudioDeviceInfo[]>;
  /** Pushes a warning to every UI (the app's event bus). */
  warn(w: AudioWarningEvent): void;
  /** Speaks a sentence (queued by the caller until the loop is idle). */
  say(text: string): void;
  /** Epoch ms. */
  nowMs(): number;
  /** Events closer together than this (ms) are one burst, one sentence. Default 400. */
  burstMs?: number;
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

type FallbackEvent = Extract<AudioRouteEvent, { type: 'fallback-to-non-bluetooth' }>;

interface Known {
  name: string;
  transport: AudioDeviceInfo['transport'];
  input: boolean;
}

/** Collects route events, names their devices, and announces each burst once. */
export class RouteAnnouncer {
  private readonly known = new Map<string, Known>();
  /** The default input per the last device list (null: none, or not listed yet). */
  private defaultInputId: string | null = null;
  /** Ids in the last device list. */
  private listed = new Set<string>();
  private burst: AudioRouteEvent[] = [];
  private timer: { cancel(): void } | null = null;
  private closed = false;

  constructor(private readonly deps: RouteAnnouncerDeps) {}

  /** Learns device names (call once at start, before the first event). */
  async refresh(): Promise<void> {
    try {
      const devices = await this.deps.listDevices();
      for (const d of devices) this.remember(d);
      this.listed = new Set(devices.map((d) => d.id));
      this.defaultInputId = devices.find((d) => d.isDefaultInput && d.maxInputChannels > 0)?.id ?? null;
    } catch {
      // Names fall back to ids; the warning itself still goes out.
    }
  }

  /**
   * The watcher's first look at the routes (its ready signal): it reports changes from then on, so
   * devices that went away since the last list (refresh()) are reported as if it had seen them go.
   */
  async catchUp(): Promise<void> {
    const before = this.listed;
    let now: readonly AudioDeviceInfo[];
    try {
      now = await this.deps.listDevices();
    } catch {
      return;
    }
    const ids = new Set(now.map((d) => d.id));
    for (const id of before) {
      if (!ids.has(id)) this.onRoute({ type: 'device-lost', direction: this.known.get(id)?.input ? 'input' : 'output', deviceId: id, reason: 'removed' });
    }
  }

  /** One route event from the add-on (system route watcher or an open stream). */
  onRoute(e: AudioRouteEvent): void {
    if (this.closed) return;
    if (e.type === 'default-changed' && e.to) this.remember(e.to);
    this.burst.push(e);
    this.timer?.cancel();
    this.timer = this.deps.setTimer(() => void this.flush(), this.deps.burstMs ?? 400);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  private remember(d: AudioDeviceInfo): void {
    this.known.set(d.id, { name: d.description || d.name, transport: d.transport, input: d.maxInputChannels > 0 });
  }

  private name(id: string | null): string | null {
    if (id === null) return null;
    return this.known.get(id)?.name ?? id.replace(/^[a-z]+:/, '');
  }

  private async flush(): Promise<void> {
    const events = this.burst;
    this.burst = [];
    this.timer = null;
    const at = new Date(this.deps.nowMs()).toISOString();
    const warnings: AudioWarningEvent[] = [];
    const add = (kind: AudioWarningKind, level: 'warning' | 'info', message: string, from: string | null, to: string | null) => {
      if (!warnings.some((w) => w.kind === kind)) warnings.push({ kind, level, message, from, to, at });
    };
    // Lost Bluetooth devices: the glasses (one warning even when both their sink and mic went).
    const lostBt = events.filter((e): e is Extract<AudioRouteEvent, { type: 'device-lost' }> => e.type === 'device-lost' && this.known.get(e.deviceId)?.transport === 'bluetooth');
    const reported = events.find((e): e is FallbackEvent => e.type === 'fallback-to-non-bluetooth' && e.direction === 'input');
    const missed = reported ? { listed: false } : await this.missedFallback(events);
    const fallback = reported ?? missed.fallback;
    const glasses = this.name(lostBt.find((e) => this.known.get(e.deviceId)?.input)?.deviceId ?? lostBt[0]?.deviceId ?? fallback?.fromId ?? null);
    if (lostBt.length > 0) add('glasses-disconnected', 'warning', `Your glasses (${glasses}) disconnected.`, glasses, null);
    if (fallback) {
      const to = this.name(fallback.toId) ?? 'no microphone';
      add('fallback-mic', 'warning', `The microphone fell back from ${this.name(fallback.fromId)} to ${to}, which is not a Bluetooth headset.`, this.name(fallback.fromId), to);
    }
    const connected = events.find((e): e is Extract<AudioRouteEvent, { type: 'default-changed' }> => e.type === 'default-changed' && e.direction === 'input' && e.to?.transport === 'bluetooth');
    if (connected && !fallback) add('glasses-connected', 'info', `Glasses connected: using ${this.name(connected.toId)} for the microphone.`, this.name(connected.fromId), this.name(connected.toId));
    const narrow = [...events].reverse().find((e): e is Extract<AudioRouteEvent, { type: 'narrowband-input' }> => e.type === 'narrowband-input');
    if (narrow) {
      add('narrowband', 'warning', `${this.name(narrow.deviceId)} is in the hands-free (HFP) profile at ${Math.round(narrow.sampleRateHz / 1000)} kHz: speech recognition will be less accurate.`, null, this.name(narrow.deviceId));
    }
    for (const w of warnings) this.deps.warn(w);
    const spoken = spokenSentence(warnings, fallback ? this.name(fallback.toId) : null);
    if (spoken !== null) this.deps.say(spoken);
    if (!missed.listed) await this.refresh();
  }

  /**
   * A fallback from the Bluetooth mic that was the default input, found by listing the devices
   * again, for a burst that lost a device or moved the default mic without a fallback event.
   * `listed` says whether the devices were listed (then the caller need not list them again).
   */
  private async missedFallback(events: readonly AudioRouteEvent[]): Promise<{ fallback?: FallbackEvent; listed: boolean }> {
    const before = this.defaultInputId;
    if (before === null || this.known.get(before)?.transport !== 'bluetooth') return { listed: false };
    if (!events.some((e) => e.type === 'device-lost' || (e.type === 'default-changed' && e.direction === 'input'))) return { listed: false };
    await this.refresh();
    const now = this.defaultInputId;
    if (now === before || (now !== null && this.known.get(now)?.transport === 'bluetooth')) return { listed: true };
    const toTransport = (now !== null ? this.known.get(now)?.transport : undefined) ?? 'unknown';
    return { fallback: { type: 'fallback-to-non-bluetooth', direction: 'input', fromId: before, toId: now, toTransport }, listed: true };
  }
}

/** The one sentence for a burst (narrowband is shown, not spoken: it is said once in diagnostics). */
export function spokenSentence(warnings: readonly AudioWarningEvent[], fallbackMic: string | null): string | null {
  const has = (k: AudioWarningKind) => warnings.some((w) => w.kind === k);
  const using = fallbackMic !== null ? `I'm using ${fallbackMic} as the microphone.` : null;
  if (has('glasses-disconnected') && using) return `Your glasses disconnected; ${using}`;
  if (has('glasses-disconnected')) return 'Your glasses disconnected.';
  if (has('fallback-mic') && using) return `The Bluetooth microphone is gone; ${using}`;
  if (has('glasses-connected')) return 'Glasses connected.';
  return null;
}

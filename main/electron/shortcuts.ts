/**
 * The global shortcuts that toggle push-to-talk: the configured keyboard shortcut and the headset
 * tap (a play/pause media key by default). Registration never throws: a shortcut Electron cannot
 * parse, or one another app holds, is reported and skipped, so a bad saved value cannot stop start-up.
 */
import { acceleratorProblem } from '../../contract/accelerator.js';
import type { Settings } from '../../contract/ipc.js';

/** The slice of Electron's globalShortcut used here. */
export interface GlobalShortcutApi {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export type ShortcutRole = 'pushToTalkShortcut' | 'headsetTapShortcut';

export interface ShortcutProblem {
  role: ShortcutRole;
  accelerator: string;
  message: string;
}

const LABEL: Record<ShortcutRole, string> = { pushToTalkShortcut: 'Push-to-talk shortcut', headsetTapShortcut: 'Headset tap shortcut' };

export class ShortcutBinder {
  private readonly bound = new Map<ShortcutRole, string>();

  constructor(
    private readonly api: GlobalShortcutApi,
    private readonly onPress: () => void,
  ) {}

  /** What is registered now, per role. */
  get current(): ReadonlyMap<ShortcutRole, string> {
    return this.bound;
  }

  /**
   * Registers the shortcuts of `s` (unregistering ones that changed); returns what could not be
   * registered, with a sentence for the user. A role whose new value fails keeps its old binding.
   */
  apply(s: Pick<Settings, ShortcutRole>): ShortcutProblem[] {
    const problems: ShortcutProblem[] = [];
    const wanted: [ShortcutRole, string][] = [
      ['pushToTalkShortcut', s.pushToTalkShortcut],
      ['headsetTapShortcut', s.headsetTapShortcut],
    ];
    for (const [role, accel] of wanted) {
      const old = this.bound.get(role);
      if (old === accel) continue;
      if (accel === '') {
        if (old !== undefined) this.release(old, role);
        this.bound.delete(role);
        continue;
      }
      const problem = acceleratorProblem(accel);
      if (problem !== null) {
        problems.push({ role, accelerator: accel, message: `${LABEL[role]} "${accel.slice(0, 60)}" is not valid (${problem}); ${old !== undefined ? `keeping ${old}` : 'it is off'}.` });
        continue;
      }
      if ([...this.bound.entries()].some(([r, a]) => r !== role && a.toLowerCase() === accel.toLowerCase())) {
        problems.push({ role, accelerator: accel, message: `${LABEL[role]} "${accel}" is already used by the other push-to-talk shortcut.` });
        continue;
      }
      let ok: boolean;
      try {
        ok = this.api.register(accel, this.onPress);
      } catch (e) {
        ok = false;
        problems.push({ role, accelerator: accel, message: `${LABEL[role]} "${accel}" could not be registered: ${e instanceof Error ? e.message : String(e)}` });
      }
      if (!ok) {
        if (!problems.some((p) => p.role === role)) {
          problems.push({ role, accelerator: accel, message: `${LABEL[role]} "${accel}" is taken by another application (or the OS does not deliver it); ${old !== undefined ? `keeping ${old}` : 'it is off'}.` });
        }
        continue;
      }
      if (old !== undefined) this.release(old, role);
      this.bound.set(role, accel);
    }
    return problems;
  }

  private release(accel: string, role: ShortcutRole): void {
    // The other role may use the same key (case differences aside) only if registration was refused above.
    if ([...this.bound.entries()].some(([r, a]) => r !== role && a === accel)) return;
    try {
      this.api.unregister(accel);
    } catch {
      // Unregistering a key Electron never took is harmless.
    }
  }
}

/**
 * Test helper: a private PulseAudio server (own XDG_RUNTIME_DIR, started as a child, stopped by
 * PID) with a null sink "hf_loop" whose monitor is the default source.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PulseServer {
  readonly dir: string;
  readonly server: string;
  readonly pid: number;
  pactl(...args: string[]): Promise<string>;
  loadModule(name: string, ...args: string[]): Promise<number>;
  /** Adds the fake Bluetooth headset from audio.md; returns its module ids. */
  addFakeBluetoothHeadset(): Promise<{ sinkModule: number; sourceModule: number }>;
  stop(): Promise<void>;
}

export function hasPulseTools(): boolean {
  return ['/usr/bin/pulseaudio', '/usr/bin/pactl'].every((p) => existsSync(p));
}

export async function startPulse(): Promise<PulseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-pulse-'));
  chmodSync(dir, 0o700);
  const socket = join(dir, 'native');
  const server = `unix:${socket}`;
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: dir, PULSE_RUNTIME_PATH: join(dir, 'pulse'), HOME: dir, PULSE_SERVER: server };
  delete env['LD_PRELOAD']; // sanitizer runs preload ASan into node only, not into the tools
  const child: ChildProcess = spawn(
    'pulseaudio',
    [
      '-n',
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--use-pid-file=no',
      '--system=no',
      `--log-target=file:${join(dir, 'pulse.log')}`,
      `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      '--load=module-null-sink sink_name=hf_loop rate=48000 channels=2 sink_properties=device.description=Loopback',
    ],
    { env, stdio: 'ignore' },
  );
  if (!child.pid) throw new Error('could not start pulseaudio');
  const pid = child.pid;
  // If this process dies without stop() (killed test worker), a watchdog ends the server by PID.
  spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill ${pid} 2>/dev/null`], {
    detached: true,
    stdio: 'ignore',
    env,
  }).unref();
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const pactl = async (...args: string[]): Promise<string> => {
    const { stdout } = await execFileAsync('pactl', ['--server', server, ...args], { env, timeout: 10_000 });
    return stdout.trim();
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`pulseaudio exited at start; see ${join(dir, 'pulse.log')}`);
    try {
      await pactl('info');
      break;
    } catch {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        throw new Error('pulseaudio did not come up within 15 s');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await pactl('set-default-sink', 'hf_loop');
  await pactl('set-default-source', 'hf_loop.monitor');
  // Everything in this process (libpulse and PortAudio's ALSA pulse plugin) talks to this server.
  process.env['PULSE_SERVER'] = server;
  process.env['XDG_RUNTIME_DIR'] = dir;
  process.env['PULSE_RUNTIME_PATH'] = join(dir, 'pulse');

  const loadModule = async (name: string, ...args: string[]): Promise<number> => Number(await pactl('load-module', name, ...args));
  return {
    dir,
    server,
    pid,
    pactl,
    loadModule,
    async addFakeBluetoothHeadset() {
      const props =
        "device.description='Fake BT Headset' device.bus=bluetooth device.form_factor=headset device.api=bluez bluez.profile=headset_head_unit";
      const sinkModule = await loadModule('module-null-sink', 'sink_name=fake_bt_headset', 'rate=16000', 'channels=1', `sink_properties="${props}"`);
      const sourceModule = await loadModule(
        'module-remap-source',
        'master=fake_bt_headset.monitor',
        'source_name=fake_bt_headset_mic',
        `source_properties="${props.replace('Fake BT Headset', 'Fake BT Headset Mic')}"`,
      );
      return { sinkModule, sourceModule };
    },
    async stop() {
      if (!exited) {
        process.kill(pid, 'SIGTERM');
        const until = Date.now() + 5_000;
        while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        if (!exited) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Plays a file into a sink with paplay (independent of the add-on's playback path). */
export async function paplay(p: PulseServer, file: string, sink = 'hf_loop'): Promise<void> {
  const env = { ...process.env };
  delete env['LD_PRELOAD'];
  await execFileAsync('paplay', ['--server', p.server, `--device=${sink}`, file], { timeout: 30_000, env });
}

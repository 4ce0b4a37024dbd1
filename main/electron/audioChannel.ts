/**
 * The audio process in the desktop app: Electron's utilityProcess (a Node child managed by
 * Chromium's process model; structured-clone messages, so PCM crosses as typed arrays). Same
 * channel shape as the forked child of browser mode (main/audio/channel.ts).
 */
import { utilityProcess } from 'electron';
import { forwardWorkerStderr, type AudioChannelFactory } from '../audio/channel.js';

export const utilityAudioChannel: AudioChannelFactory = (workerPath) => {
  const child = utilityProcess.fork(workerPath, [], { serviceName: 'HandsFree audio', stdio: ['ignore', 'inherit', 'pipe'] });
  forwardWorkerStderr(child.stderr);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exited) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      // utilityProcess reports only the exit code (a signal shows as a non-zero code).
      child.once('exit', (code) => listener(code, null));
    },
    kill() {
      if (!exited) child.kill();
    },
  };
};

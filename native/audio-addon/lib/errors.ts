/** Errors raised by the wrapper. Argument errors are TypeErrors naming the argument. */

export class AudioAddonUnavailableError extends Error {
  override readonly name = 'AudioAddonUnavailableError';
  readonly code = 'ERR_AUDIO_ADDON_UNAVAILABLE';
  constructor(
    message: string,
    readonly tried: ReadonlyArray<{ readonly path: string; readonly result: string }>,
    readonly hint: string,
  ) {
    super(message);
  }
}

export class AudioDeviceError extends Error {
  override readonly name = 'AudioDeviceError';
  readonly code = 'ERR_AUDIO_DEVICE';
}

export function invalidArgument(name: string, expected: string, actual: unknown): TypeError {
  const got = actual === null ? 'null' : Array.isArray(actual) ? 'array' : typeof actual;
  const shown = typeof actual === 'string' ? JSON.stringify(actual) : typeof actual === 'object' ? got : String(actual);
  const err = new TypeError(`Expected ${expected} for ${name} but received ${shown} of type ${got}`);
  Object.defineProperty(err, 'code', { value: 'ERR_INVALID_ARG_VALUE', enumerable: true });
  Object.defineProperty(err, 'argument', { value: name, enumerable: true });
  Error.captureStackTrace?.(err, invalidArgument);
  return err;
}

/**
 * Native errors carry a stack that ends inside the binding. Rebuild them at the caller's call site
 * (captured before any asynchronous hop) and keep the original as `cause`.
 */
export function rethrowWithCallSite(native: unknown, callSite: { stack?: string }, prefix: string): Error {
  const message = native instanceof Error ? native.message : String(native);
  const err = new AudioDeviceError(`${prefix}: ${message}`, { cause: native });
  if (callSite.stack) err.stack = `${err.name}: ${err.message}\n${callSite.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

export function captureCallSite(fn: (...args: never[]) => unknown): { stack?: string } {
  const holder: { stack?: string } = {};
  Error.captureStackTrace?.(holder, fn);
  return holder;
}

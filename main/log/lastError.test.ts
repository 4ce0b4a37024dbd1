import { describe, expect, it } from 'vitest';
import { LastError, recordFailures } from './lastError.js';

class Provider {
  #calls = 0;
  readonly name = 'p';
  get calls(): number {
    return this.#calls;
  }
  async run(fail: string | null): Promise<string> {
    this.#calls++;
    if (fail === 'abort') throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (fail !== null) throw new Error(`${fail}\nstack-ish detail`);
    return 'ok';
  }
  check(bad: boolean): number {
    if (bad) throw new TypeError('bad input');
    return this.#calls;
  }
}

describe('recordFailures', () => {
  it('keeps the last failure and when, across later successes; aborts are not failures', async () => {
    let now = Date.UTC(2026, 11, 4, 17, 0, 0);
    const log = new LastError(() => now);
    const p = recordFailures(new Provider(), log);
    expect(await p.run(null)).toBe('ok');
    expect(log.last).toBeNull();
    await expect(p.run('upstream 503')).rejects.toThrow('upstream 503');
    expect(log.last).toEqual({ message: 'upstream 503', at: '2026-12-04T17:00:00.000Z' });
    now += 60_000;
    expect(await p.run(null)).toBe('ok'); // healthy again: the last error stays, with its time
    expect(log.last!.at).toBe('2026-12-04T17:00:00.000Z');
    await expect(p.run('abort')).rejects.toThrow('aborted');
    expect(log.last!.message).toBe('upstream 503');
    expect(() => p.check(true)).toThrow(TypeError);
    expect(log.last).toEqual({ message: 'bad input', at: '2026-12-04T17:01:00.000Z' });
    // the target's own state, getters and private fields work through the wrapper
    expect(p.calls).toBe(4);
    expect(p.check(false)).toBe(4);
    expect(p.name).toBe('p');
  });

  it('a filter decides what counts; long messages are cut', async () => {
    const log = new LastError(() => 0);
    const p = recordFailures(new Provider(), log, (e) => !(e instanceof Error && e.message.startsWith('not_found')));
    await expect(p.run('not_found: PR 9')).rejects.toThrow();
    expect(log.last).toBeNull();
    await expect(p.run('x'.repeat(1_000))).rejects.toThrow();
    expect(log.last!.message).toHaveLength(300);
  });
});

describe('isGithubOutage', () => {
  it('counts auth, limits and outages; not answers such as a missing PR, nor aborts', async () => {
    const { AppError } = await import('../../contract/errors.js');
    const { isGithubOutage } = await import('./lastError.js');
    expect(isGithubOutage(new AppError('github_unavailable', 'GitHub answered 503'))).toBe(true);
    expect(isGithubOutage(new AppError('github_rate_limited', 'rate limited'))).toBe(true);
    expect(isGithubOutage(new AppError('pr_not_found', 'no PR 9'))).toBe(false);
    expect(isGithubOutage(new TypeError('fetch failed'))).toBe(true);
    expect(isGithubOutage(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(false);
    const log = new LastError(() => 0);
    log.record(new AppError('github_timeout', 'no answer in 10 s'));
    expect(log.last!.message).toBe('github_timeout: no answer in 10 s');
  });
});

import { describe, expect, it } from 'vitest';
import { APP_ERROR_CODES } from '../../contract/errors.js';
import { HTTP_STATUS_BY_CODE, httpStatusFor, publicMessageFor } from './errorStatus.js';

describe('HTTP status table', () => {
  it('maps every AppErrorCode to a 4xx/5xx status', () => {
    for (const code of APP_ERROR_CODES) {
      const s = HTTP_STATUS_BY_CODE[code];
      expect(s, code).toBeGreaterThanOrEqual(400);
      expect(s, code).toBeLessThan(600);
    }
  });
  it('uses the documented statuses for confirmation tokens and missing GitHub token', () => {
    expect(httpStatusFor('token_invalid')).toBe(404);
    expect(httpStatusFor('token_used')).toBe(409);
    expect(httpStatusFor('token_expired')).toBe(410);
    expect(httpStatusFor('no_token')).toBe(503);
    expect(httpStatusFor('github_unauthorized')).toBe(502);
    expect(httpStatusFor('rate_limited')).toBe(429);
  });
  it('hides internal messages', () => {
    expect(publicMessageFor('internal', 'db path /home/x leaked')).not.toContain('/home/x');
    expect(publicMessageFor('store_failed', 'EIO at /home/x')).not.toContain('/home/x');
    expect(publicMessageFor('pr_not_found', 'PR 12 not found')).toBe('PR 12 not found');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { allowedGitHubHost, enterpriseHostOf, githubWebBaseUrl, isAllowedExternalUrl, isValidGitHubHost, setAllowedGitHubHost } from './linkPolicy.js';

afterEach(() => setAllowedGitHubHost(null));

describe('GitHub Enterprise links', () => {
  it('refuses an Enterprise host until it is configured, then allows exactly that host', () => {
    expect(isAllowedExternalUrl('https://ghe.example.com/acme/api/pull/12')).toBe(false);
    setAllowedGitHubHost('ghe.example.com');
    expect(allowedGitHubHost()).toBe('ghe.example.com');
    expect(isAllowedExternalUrl('https://ghe.example.com/acme/api/pull/12')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/acme/api/pull/12')).toBe(true);
  });

  it.each([
    'http://ghe.example.com/acme/api/pull/12',
    'https://ghe.example.com:8443/acme/api',
    'https://user:pw@ghe.example.com/acme',
    'https://evil.ghe.example.com/acme',
    'https://ghe.example.com.evil.net/acme',
    'https://other.example.com/acme',
    'javascript:alert(1)',
  ])('still refuses %s with ghe.example.com configured', (u) => {
    setAllowedGitHubHost('ghe.example.com');
    expect(isAllowedExternalUrl(u)).toBe(false);
  });

  it.each(['127.0.0.1', 'localhost', 'ghe.example.com:443', 'GHE.example.com', '-bad.example.com', 'github.com', 'ghe..example.com', ''])('refuses %j as a configured host', (h) => {
    expect(isValidGitHubHost(h)).toBe(false);
    expect(() => setAllowedGitHubHost(h)).toThrow(/Not a GitHub Enterprise host/);
    expect(allowedGitHubHost()).toBeNull();
  });

  it.each([
    [undefined, 'https://github.com', null],
    ['https://api.github.com', 'https://github.com', null],
    ['https://api.github.com/', 'https://github.com', null],
    ['https://ghe.example.com/api/v3', 'https://ghe.example.com', 'ghe.example.com'],
    ['https://api.acme.ghe.com', 'https://acme.ghe.com', 'acme.ghe.com'],
    ['http://127.0.0.1:4321', 'http://127.0.0.1:4321', null],
    ['http://ghe.example.com/api/v3', 'http://ghe.example.com', null],
  ])('API root %s → web root %s, Enterprise host %s', (api, web, host) => {
    expect(githubWebBaseUrl(api)).toBe(web);
    expect(enterpriseHostOf(api)).toBe(host);
  });
});

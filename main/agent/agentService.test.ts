import { describe, expect, it } from 'vitest';
import { MARKER_RE, referencesIssue } from './agentService.js';

describe('agent PR correlation rules', () => {
  it('recognises links to the dispatch issue, and nothing that merely looks like one', () => {
    expect(referencesIssue('Fixes acme/agent-tasks#5', 'acme/api', 'acme/agent-tasks', 5)).toBe(true);
    expect(referencesIssue('see https://github.com/acme/agent-tasks/issues/5.', 'acme/api', 'acme/agent-tasks', 5)).toBe(true);
    expect(referencesIssue('closes #5', 'acme/agent-tasks', 'acme/agent-tasks', 5)).toBe(true);
    expect(referencesIssue('closes #5', 'acme/api', 'acme/agent-tasks', 5)).toBe(false);
    expect(referencesIssue('Fixes acme/agent-tasks#55', 'acme/api', 'acme/agent-tasks', 5)).toBe(false);
    expect(referencesIssue('Fixes evil/acme/agent-tasks#5', 'acme/api', 'acme/agent-tasks', 5)).toBe(false);
    expect(referencesIssue('Fixes acme/agent-tasksX#5', 'acme/api', 'acme/agent-tasks', 5)).toBe(false);
  });

  it('the marker is a hidden HTML comment with an id', () => {
    expect(MARKER_RE.exec('x <!-- handsfree-task: 0123456789abcdef --> y')?.[1]).toBe('0123456789abcdef');
    expect(MARKER_RE.exec('handsfree-task: 0123456789abcdef')).toBeNull();
    expect(MARKER_RE.exec('<!-- handsfree-task: short -->')).toBeNull();
  });
});

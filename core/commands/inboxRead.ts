/** "read the second one": one item of the list last read, by position; a PR or issue is summarized too. */
import type { NotificationThread } from '../../contract/github.js';
import type { Card } from '../../contract/response.js';
import { describeSubject, notificationCard, notificationLine, ordinal, prSummary, pullRequestCard } from '../responses/speak.js';
import { joinNames, plural } from '../responses/text.js';
import { defineCommand, type CommandTools, type Outcome } from './types.js';

export const inboxRead = defineCommand('inbox.read', {
  description: 'Read one item of the list by its position.',
  examples: ['read the first one', 'the second one', 'open the third one', 'read item 2'],
  anchors: [],
  entities: ['position'],
  patterns: [
    '[read | open | play | show [me] | tell me about] [the] {position:ordinal} [one | item | notification | thing]',
    '[read | open | play] (item | notification | entry) [number] {position:number}',
  ],
  run: (e, t) => readInboxAt(e.position - 1, t, true),
});

/**
 * Reads the inbox item at 0-based `index` (clamped at the start) and makes it the current one.
 * `asked`: the user named the position ("read the twentieth"), so a position past the end is
 * answered as such, not as the end reached by "next".
 */
export async function readInboxAt(index: number, t: CommandTools, asked = false): Promise<Outcome> {
  const { session } = t;
  let items: NotificationThread[] | null = null;
  if (session.inbox.length === 0) {
    items = await t.listNotifications();
    session.inbox = items.map((n) => ({ threadId: n.id, repo: n.repo, number: n.number, subjectType: n.subjectType }));
  }
  if (session.inbox.length === 0) return { status: 'ok', spoken: 'Your inbox is empty.', cards: [] };
  if (index < 0) index = 0;
  if (index >= session.inbox.length) {
    if (asked) {
      const n = plural(session.inbox.length, 'notification');
      return { status: 'ok', spoken: `There is no item ${index + 1}: the list has ${n}. Say read the first one, or what needs my attention.`, cards: [] };
    }
    return { status: 'ok', spoken: `That's the end of the list: ${plural(session.inbox.length, 'notification')}. Say what needs my attention to start again.`, cards: [] };
  }
  session.cursor = index;
  const ref = session.inbox[index]!;
  const thread = (items ?? (await t.github.listNotifications())).find((n) => n.id === ref.threadId);
  const lead = thread ? `${ordinal(index + 1)}: ${notificationLine(thread)}.` : `${ordinal(index + 1)}: ${describeSubject(ref)} in ${ref.repo}.`;
  const cards: Card[] = thread ? [notificationCard(thread, index + 1)] : [];
  const tail = index + 1 < session.inbox.length ? 'Say next for more.' : undefined;
  if (ref.subjectType === 'PullRequest' && ref.number !== null) {
    const pr = await t.github.getPullRequest(ref.repo, ref.number);
    session.lastPr = { repo: pr.repo, number: pr.number };
    cards.push(pullRequestCard(pr));
    // The lead already names the PR; the summary adds checks, reviews and mergeability.
    const detail = prSummary(pr, t.profile).replace(/^PR \d+ in \S+, '[^']*' by /, 'By ');
    return { status: 'ok', spoken: `${lead} ${detail}`, tail, cards };
  }
  if (ref.subjectType === 'Issue' && ref.number !== null) {
    const issue = await t.github.getIssue(ref.repo, ref.number);
    const state = issue.state === 'open' ? 'Open' : 'Closed';
    const extra = `${state}, opened by ${issue.author}${issue.labels.length ? `, labelled ${joinNames(issue.labels.slice(0, 3))}` : ''}.`;
    return { status: 'ok', spoken: `${lead} ${extra}`, tail, cards };
  }
  return { status: 'ok', spoken: lead, tail, cards };
}

// The conversation list: one link per conversation (newest activity first, as the relay sends
// them) with its channel, visitor, source, last message, time and unread count, and what the
// list says when it is loading, empty or failing.

import { segment } from './api.js';
import { h, replace } from './dom.js';
import { channelName, exactTime, listTime, sourceLine, visitorName } from './format.js';
import { channelIcon } from './icons.js';

/** The key a conversation is known by in the page: `site/id`. */
export function keyOf(conversation) {
  return `${conversation.site}/${conversation.id}`;
}

/** The address of a conversation inside the page. */
export function hrefOf(conversation) {
  return `#/c/${segment(conversation.site)}/${segment(conversation.id)}`;
}

function preview(last) {
  if (!last) return h('span', { class: 'item-preview' }, 'No messages yet');
  const who = { operator: 'Operator: ', system: 'Ferry: ' }[last.author];
  return h('span', { class: 'item-preview' }, who ? h('span', { class: 'you' }, who) : null, last.text);
}

function badges(conversation) {
  const unread = Number(conversation.unread) || 0;
  return h(
    'span',
    { class: 'item-badges' },
    conversation.status === 'closed' ? h('span', { class: 'status-chip' }, 'Closed') : null,
    unread > 0
      ? h('span', { class: 'unread', 'aria-label': `${unread} unread` }, unread > 99 ? '99+' : unread)
      : null,
  );
}

function item(conversation, { selected, siteNames }) {
  const at = conversation.last_message?.at ?? conversation.updated_at;
  const site = siteNames.size > 1 ? siteNames.get(conversation.site) ?? conversation.site : null;
  const source = [sourceLine(conversation.source), site].filter(Boolean).join(' · ');
  const link = h(
    'a',
    {
      class: `conversation-item${conversation.unread > 0 ? ' is-unread' : ''}`,
      href: hrefOf(conversation),
      'aria-current': selected ? 'true' : null,
      data: { key: keyOf(conversation), testid: 'inbox-conversation' },
    },
    channelIcon(conversation.channel, { label: channelName(conversation.channel) }),
    h('span', { class: 'item-name' }, visitorName(conversation)),
    h('time', { class: 'item-time', datetime: at, title: exactTime(at) }, listTime(at)),
    preview(conversation.last_message),
    badges(conversation),
    h('span', { class: 'item-source' }, source),
  );
  return h('li', {}, link);
}

/**
 * Shows `conversations` in `list`, marking `selectedKey`; keeps keyboard focus on the same
 * conversation when the list is redrawn under it.
 */
export function renderList(list, conversations, { selectedKey, siteNames }) {
  const focusedKey = list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  replace(list, conversations.map((c) => item(c, { selected: keyOf(c) === selectedKey, siteNames })));
  if (focusedKey) list.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
}

const EMPTY = {
  open: ['No open conversations', 'New chats from your site and messengers show up here as they arrive.'],
  closed: ['No closed conversations', 'Conversations you close are kept here.'],
  all: ['No conversations yet', 'When a visitor writes on the site or in a messenger, it shows up here.'],
};

/** What the list says instead of conversations: `loading`, `empty` (for a status) or `error`. */
export function renderListState(box, kind, { status = 'open', message = '', onRetry = null } = {}) {
  if (kind === 'loading') {
    replace(box, 'Loading conversations…');
  } else if (kind === 'empty') {
    const [title, text] = EMPTY[status] ?? EMPTY.all;
    replace(box, h('strong', {}, title), text);
  } else {
    replace(
      box,
      h('strong', {}, 'Conversations could not be loaded'),
      message,
      onRetry ? h('button', { type: 'button', class: 'button secondary', onclick: onRetry }, 'Try again') : null,
    );
  }
  box.hidden = false;
}

// One conversation on screen: who and where the visitor is, and the whole history across the
// channels it went through. New messages are appended to the log rather than redrawn, so a
// screen reader announces only what is new and the operator's scroll position is kept.

import { byId, h, replace } from './dom.js';
import {
  channelName, dayKey, dayLabel, exactTime, messageTime, sourceDetails, visitorName,
} from './format.js';
import { channelIcon } from './icons.js';
import { operatorName } from './state.js';

const STATUS_TEXT = { pending: 'Sending…', sent: 'Sent', failed: 'Not delivered' };

function channelChange(channel, first) {
  const where = channel === 'web' ? 'the web chat' : channelName(channel);
  return h(
    'li',
    { class: 'channel-change', data: { channel } },
    channelIcon(channel, { small: true }),
    first ? `Started in ${where}` : `Continued in ${where}`,
  );
}

function meta(message) {
  const who = message.author === 'operator' ? operatorName(message.operator) : null;
  const status = message.author === 'operator' ? STATUS_TEXT[message.status] : null;
  return h(
    'div',
    { class: 'message-meta' },
    who ? h('span', {}, who) : null,
    h('time', { datetime: message.at, title: exactTime(message.at) }, messageTime(message.at)),
    status ? h('span', { class: message.status === 'failed' ? 'failed' : null }, status) : null,
  );
}

function bubble(message, { pendingKey = null } = {}) {
  const classes = ['message', message.author];
  if (message.status === 'failed') classes.push('failed');
  if (pendingKey) classes.push('pending');
  return h(
    'li',
    { class: classes.join(' '), data: { seq: message.seq ?? '', pending: pendingKey ?? '', status: message.status } },
    h('div', { class: 'bubble' }, message.text),
    meta(message),
  );
}

/** The conversation pane's parts, filled from `GET /inbox/api/conversations/{site}/{id}`. */
export class Thread {
  constructor() {
    this.name = byId('thread-name');
    this.meta = byId('thread-meta');
    this.details = byId('thread-details');
    this.log = byId('messages');
    this.closeButton = byId('close-conversation');
    this.reopenButton = byId('reopen-conversation');
    this.shown = { key: null, seqs: new Map(), day: null, channel: null };
  }

  /** Shows `detail` (conversation and messages) of the conversation known as `key`. */
  render(key, { conversation, messages }) {
    const switched = this.shown.key !== key;
    this.renderHead(conversation);
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    if (switched) {
      replace(this.log);
      this.shown = { key, seqs: new Map(), day: null, channel: null };
    }
    this.renderMessages(messages);
    if (switched || nearBottom) this.scrollToEnd();
  }

  renderHead(conversation) {
    this.name.textContent = visitorName(conversation);
    replace(
      this.meta,
      channelIcon(conversation.channel, { small: true }),
      conversation.status === 'closed'
        ? `${channelName(conversation.channel)} · Closed`
        : channelName(conversation.channel),
    );
    const details = sourceDetails(conversation.source);
    if (conversation.customer) details.push(['Customer', conversation.customer]);
    replace(this.details, details.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', { title: value }, value))));
    const closed = conversation.status === 'closed';
    this.closeButton.hidden = closed;
    this.reopenButton.hidden = !closed;
  }

  renderMessages(messages) {
    for (const message of messages) {
      const known = this.shown.seqs.get(message.seq);
      if (known) {
        if (known.dataset.status !== message.status) {
          const fresh = bubble(message);
          known.replaceWith(fresh);
          this.shown.seqs.set(message.seq, fresh);
        }
        continue;
      }
      this.appendMessage(message);
    }
  }

  appendMessage(message, pendingKey = null) {
    const day = dayKey(message.at);
    if (day && day !== this.shown.day) {
      this.log.append(h('li', { class: 'day' }, dayLabel(message.at)));
      this.shown.day = day;
    }
    if (message.channel && message.channel !== this.shown.channel) {
      this.log.append(channelChange(message.channel, this.shown.channel === null));
      this.shown.channel = message.channel;
    }
    const node = bubble(message, { pendingKey });
    this.log.append(node);
    if (!pendingKey) this.shown.seqs.set(message.seq, node);
    return node;
  }

  /** Shows a reply on its way (`key` is its client key) until the relay has it. */
  showPending(key, message) {
    this.appendMessage({ ...message, author: 'operator', status: 'pending' }, key);
    this.scrollToEnd();
  }

  /** Replaces the reply on its way with what the relay stored, or removes it (`stored` null). */
  settlePending(key, stored) {
    const node = this.log.querySelector(`[data-pending="${CSS.escape(key)}"]`);
    if (!node) return;
    if (stored && stored.seq !== undefined && !this.shown.seqs.has(stored.seq)) {
      const fresh = bubble(stored);
      node.replaceWith(fresh);
      this.shown.seqs.set(stored.seq, fresh);
    } else {
      node.remove();
    }
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Forgets what is shown, so the next render starts afresh (and nothing of the previous
   *  conversation shows while the next one loads). */
  reset() {
    this.shown = { key: null, seqs: new Map(), day: null, channel: null };
    replace(this.log);
    replace(this.meta);
    replace(this.details);
    this.name.textContent = 'Loading…';
  }
}

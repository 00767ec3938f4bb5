// The reply box: Enter sends, Shift+Enter starts a new line; it grows with its text, keeps a
// draft per conversation, and is closed, saying why in the relay's words, while the
// conversation's channel does not take replies (WhatsApp's 24-hour window, for one).

import { byId, h, replace } from './dom.js';
import { channelName, timeUntil } from './format.js';
import { controlIcon } from './icons.js';

const REASONS = {
  reply_window_closed: 'The visitor\'s reply window has closed, so this channel takes no reply now.',
};

export class Composer {
  /** `onSend(text)` sends a reply and resolves once the relay answered. */
  constructor({ onSend }) {
    this.form = byId('composer');
    this.textarea = byId('reply');
    this.button = byId('send');
    this.notice = byId('composer-notice');
    this.hint = byId('composer-hint');
    this.onSend = onSend;
    this.drafts = new Map();
    this.key = null;
    this.allowed = true;
    /** The relay's reason for refusing the last reply, shown until the operator edits it. */
    this.refusal = null;
    this.sending = false;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.textarea.addEventListener('input', () => {
      this.drafts.set(this.key, this.textarea.value);
      if (this.refusal && this.allowed) this.forgetRefusal();
      this.fit();
      this.update();
    });
  }

  /** Switches to the conversation known as `key`, bringing back its draft. */
  open(key) {
    if (this.key === key) return;
    this.key = key;
    this.textarea.value = this.drafts.get(key) ?? '';
    this.refusal = null;
    this.clearNotice();
    this.fit();
  }

  /** Takes the conversation's `reply` field: may it be answered now, how, and until when. */
  setReply(reply) {
    this.allowed = reply ? reply.allowed !== false : true;
    if (!this.allowed) {
      this.showNotice(reply.message || REASONS[reply.reason] || 'This conversation takes no reply now.', 'warning');
    } else if (this.refusal) {
      this.showNotice(this.refusal, 'warning');
    } else if (this.notice.dataset.tone === 'warning') {
      this.clearNotice();
    }
    const parts = [];
    if (reply?.channel) parts.push(`Replying in ${reply.channel === 'web' ? 'the web chat' : channelName(reply.channel)}`);
    if (this.allowed && reply?.closes_at) parts.push(`window closes ${timeUntil(reply.closes_at)}`);
    parts.push('Enter to send · Shift+Enter for a new line');
    this.hint.textContent = parts.join(' · ');
    this.update();
  }

  /** The relay refused a reply (422): say why, and take no more until the conversation's
   *  `reply` field says replies are open (then the reason stays until the text is edited). */
  refuse(message) {
    this.allowed = false;
    this.refusal = message || 'The relay refused this reply.';
    this.showNotice(this.refusal, 'warning');
    this.update();
  }

  forgetRefusal() {
    this.refusal = null;
    this.clearNotice();
  }

  /** Shows a notice above the box; `tone` is warning, error or info. */
  showNotice(text, tone = 'warning') {
    replace(this.notice, controlIcon('warning'), h('span', {}, text));
    this.notice.dataset.tone = tone;
    this.notice.hidden = false;
  }

  clearNotice() {
    this.notice.hidden = true;
    delete this.notice.dataset.tone;
  }

  update() {
    this.textarea.disabled = !this.allowed;
    this.textarea.placeholder = this.allowed ? 'Write a reply…' : 'Replies are closed for now';
    this.button.disabled = !this.allowed || this.sending || !this.textarea.value.trim();
  }

  /** Grows the box with its text, up to the height the stylesheet allows. */
  fit() {
    this.textarea.style.height = 'auto';
    const height = this.textarea.scrollHeight + 2;
    this.textarea.style.height = `${height}px`;
    // A scroll bar only once the box has stopped growing.
    this.textarea.style.overflowY = height > 200 ? 'auto' : 'hidden';
  }

  async send() {
    const text = this.textarea.value.trim();
    if (!text || !this.allowed || this.sending) return;
    const key = this.key;
    this.sending = true;
    this.update();
    try {
      const sent = await this.onSend(text);
      if (sent && this.key === key) {
        this.textarea.value = '';
        this.drafts.delete(key);
        if (this.notice.dataset.tone === 'error') this.clearNotice();
        this.fit();
      }
    } finally {
      this.sending = false;
      this.update();
      if (this.key === key && this.allowed) this.textarea.focus();
    }
  }
}

// The conversation on screen: opening and leaving it (the address says which, so Back
// works), keeping it fresh, marking it read, replying, closing and reopening.

import { clientKey } from './api.js';
import { Composer } from './composer.js';
import { drawList, loadList, scheduleListRefresh } from './conversations.js';
import { byId } from './dom.js';
import { keyOf } from './list.js';
import { call, conversationPath, state } from './state.js';
import { Thread } from './thread.js';

const page = document.body;
const list = byId('conversation-list');
const placeholder = byId('placeholder');
const threadPane = byId('thread');
const phone = window.matchMedia('(max-width: 760px)');
const lastAttempt = new Map();
const thread = new Thread();
const composer = new Composer({ onSend: sendReply });

let conversationTicket = 0;

function showPlaceholder(title, text) {
  placeholder.querySelector('.placeholder-title').textContent = title;
  placeholder.querySelector('.placeholder-text').textContent = text;
  placeholder.hidden = false;
  threadPane.hidden = true;
}

export async function loadConversation() {
  const selected = state.selected;
  if (!selected) return;
  const ticket = ++conversationTicket;
  try {
    const detail = await call('GET', conversationPath(selected));
    if (ticket !== conversationTicket || state.selected?.key !== selected.key) return;
    state.detail = detail;
    placeholder.hidden = true;
    threadPane.hidden = false;
    thread.render(selected.key, { conversation: detail.conversation, messages: detail.messages ?? [] });
    composer.setReply(detail.reply);
    markRead(selected, detail.conversation);
  } catch (failure) {
    if (ticket !== conversationTicket || failure.status === 401) return;
    if (failure.status === 404) {
      showPlaceholder('This conversation is not here', 'It may have been erased, or it belongs to a site you do not serve.');
    } else if (threadPane.hidden) {
      showPlaceholder('This conversation could not be loaded', failure.message);
    } else {
      composer.showNotice(`Could not refresh this conversation: ${failure.message}`, 'error');
    }
  }
}

function markRead(selected, conversation) {
  const listed = state.conversations.find((c) => keyOf(c) === selected.key);
  const unread = Number(conversation?.unread ?? listed?.unread ?? 0);
  if (unread <= 0 || document.visibilityState !== 'visible') return;
  if (listed) listed.unread = 0;
  drawList();
  call('POST', conversationPath(selected, '/read')).catch(() => {});
}

function openConversation(site, id) {
  const key = `${site}/${id}`;
  if (state.selected?.key !== key) {
    state.selected = { site, id, key };
    state.detail = null;
    thread.reset();
    composer.open(key);
  }
  page.dataset.view = 'conversation';
  placeholder.hidden = true;
  threadPane.hidden = false;
  drawList();
  loadConversation();
  if (phone.matches) byId('thread-name').focus({ preventScroll: true });
}

function closeConversation() {
  const previous = state.selected?.key;
  state.selected = null;
  state.detail = null;
  page.dataset.view = 'list';
  showPlaceholder('Pick a conversation', 'Replies go to the visitor wherever they are now: on the site or in their messenger.');
  drawList();
  if (previous) list.querySelector(`[data-key="${CSS.escape(previous)}"]`)?.focus({ preventScroll: true });
}

export function route() {
  const match = /^#\/c\/([^/]+)\/([^/]+)$/.exec(window.location.hash);
  if (match) openConversation(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  else closeConversation();
}

export function backToList() {
  if (state.navigatedHere) window.history.back();
  else {
    window.history.replaceState(null, '', '/inbox/');
    closeConversation();
  }
}

async function sendReply(text) {
  const selected = state.selected;
  if (!selected) return false;
  // The same text sent again after a failure keeps its key: a reply that did arrive is not doubled.
  const attempt = lastAttempt.get(selected.key);
  const key = attempt && attempt.text === text ? attempt.key : clientKey();
  lastAttempt.set(selected.key, { text, key });
  const channel = state.detail?.reply?.channel ?? state.detail?.conversation?.channel;
  thread.showPending(key, { text, at: new Date().toISOString(), channel, operator: state.me?.login });
  try {
    const stored = await call('POST', conversationPath(selected, '/messages'), { text, client_key: key });
    lastAttempt.delete(selected.key);
    thread.settlePending(key, stored?.message ?? stored);
    loadConversation();
    scheduleListRefresh();
    return true;
  } catch (failure) {
    thread.settlePending(key, null);
    if (failure.status === 422) {
      composer.refuse(failure.message);
      loadConversation();
    } else if (failure.status !== 401) {
      composer.showNotice(`Your reply was not sent: ${failure.message}`, 'error');
    }
    return false;
  }
}

export async function changeStatus(action, button) {
  const selected = state.selected;
  if (!selected) return;
  button.disabled = true;
  try {
    await call('POST', conversationPath(selected, `/${action}`));
    await Promise.all([loadConversation(), loadList()]);
  } catch (failure) {
    if (failure.status !== 401) composer.showNotice(`Could not ${action} the conversation: ${failure.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

let conversationTimer = null;

/** Refreshes the conversation on screen soon, once for a burst of changes. */
export function scheduleConversationRefresh() {
  clearTimeout(conversationTimer);
  conversationTimer = setTimeout(() => loadConversation(), 150);
}

/** Whether a phone-sized screen shows one pane at a time. */
export function isPhone() {
  return phone.matches;
}

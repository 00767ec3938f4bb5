// The inbox's list of conversations: loading it page by page under the chosen filters,
// refreshing it when something changed, and drawing it (list.js draws one item).

import { byId } from './dom.js';
import { keyOf, renderList, renderListState } from './list.js';
import { call, siteNames, state } from './state.js';

const list = byId('conversation-list');
const listState = byId('list-state');
const loadMore = byId('load-more');

let listTicket = 0;

export async function loadList({ older = false } = {}) {
  const ticket = ++listTicket;
  const query = new URLSearchParams({ status: state.filters.status });
  if (state.filters.site) query.set('site', state.filters.site);
  if (state.filters.channel) query.set('channel', state.filters.channel);
  if (older && state.next) query.set('before', state.next);
  if (!older && state.conversations.length === 0) renderListState(listState, 'loading');
  try {
    const answer = await call('GET', `/inbox/api/conversations?${query}`);
    if (ticket !== listTicket) return;
    const fetched = Array.isArray(answer?.conversations) ? answer.conversations : [];
    if (older) {
      const known = new Set(state.conversations.map(keyOf));
      state.conversations = state.conversations.concat(fetched.filter((c) => !known.has(keyOf(c))));
      state.next = answer?.next ?? null;
      state.pagesLoaded += 1;
    } else if (state.pagesLoaded > 1) {
      // A refresh reads the first page again; the older pages loaded since stay below it.
      const fresh = new Set(fetched.map(keyOf));
      const oldest = fetched.at(-1)?.updated_at ?? '';
      const kept = state.conversations.filter((c) => !fresh.has(keyOf(c)) && c.updated_at < oldest);
      state.conversations = fetched.concat(kept);
    } else {
      state.conversations = fetched;
      state.next = answer?.next ?? null;
      state.pagesLoaded = 1;
    }
    drawList();
  } catch (failure) {
    if (ticket !== listTicket || failure.status === 401) return;
    if (state.conversations.length === 0) {
      renderListState(listState, 'error', { message: failure.message, onRetry: () => loadList() });
    }
  }
}

export function drawList() {
  renderList(list, state.conversations, { selectedKey: state.selected?.key, siteNames });
  if (state.conversations.length === 0) {
    renderListState(listState, 'empty', { status: state.filters.status });
  } else {
    listState.hidden = true;
  }
  loadMore.hidden = !state.next;
  const unread = state.conversations.reduce((sum, c) => sum + (Number(c.unread) || 0), 0);
  document.title = unread > 0 ? `(${unread}) Inbox · Ferry` : 'Inbox · Ferry';
}

export function restartList() {
  state.conversations = [];
  state.next = null;
  state.pagesLoaded = 0;
  list.replaceChildren();
  loadList();
}

let listTimer = null;

/** Refreshes the list soon, once for a burst of changes. */
export function scheduleListRefresh() {
  clearTimeout(listTimer);
  listTimer = setTimeout(() => loadList(), 250);
}

/** Shows why the inbox could not start, with a way to try again. */
export function showStartFailure(message, retry) {
  renderListState(listState, 'error', { message, onRetry: retry });
}

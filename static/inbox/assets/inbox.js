// The inbox page: starts it (who is signed in), wires its controls and keyboard, and follows
// the live stream. The list lives in conversations.js, the conversation on screen in
// conversation.js, what they share in state.js.

import { useCsrfToken } from './api.js';
import { loadList, restartList, scheduleListRefresh, showStartFailure } from './conversations.js';
import {
  backToList, changeStatus, isPhone, loadConversation, route, scheduleConversationRefresh,
} from './conversation.js';
import { byId, h, replace } from './dom.js';
import { initials } from './format.js';
import { controlIcon } from './icons.js';
import { listen } from './live.js';
import { call, siteNames, state, toSignIn } from './state.js';

const list = byId('conversation-list');
const liveStatus = byId('live-status');

function showLiveState(live) {
  state.live = live;
  liveStatus.dataset.state = live;
  liveStatus.textContent = { live: 'Live', connecting: 'Connecting…', offline: 'Offline, retrying' }[live] ?? live;
}

function startLiveUpdates() {
  listen({
    onChange(changed) {
      scheduleListRefresh();
      const selected = state.selected;
      if (!changed || (selected && changed.site === selected.site && String(changed.id) === String(selected.id))) {
        scheduleConversationRefresh();
      }
    },
    onState: showLiveState,
    // Refused: perhaps signed out elsewhere; a 401 here sends the page to the sign-in.
    onRefused: () => call('GET', '/inbox/api/me').catch(() => {}),
  });
  // Without the stream, the page still catches up every half minute.
  setInterval(() => {
    if (state.live !== 'live' && document.visibilityState === 'visible') {
      loadList();
      loadConversation();
    }
  }, 30_000);
}

function showOperator(me) {
  byId('operator-name').textContent = me.name;
  byId('operator-avatar').textContent = initials(me.name);
  byId('operator').title = me.login;
  const sites = Array.isArray(me.sites) ? me.sites : [];
  for (const site of sites) siteNames.set(site.id, site.name);
  const siteFilter = byId('site-filter');
  if (sites.length > 1) {
    replace(siteFilter, h('option', { value: '' }, 'All sites'), sites.map((s) => h('option', { value: s.id }, s.name)));
    siteFilter.hidden = false;
  }
}

function wireControls() {
  for (const button of document.querySelectorAll('[data-status]')) {
    button.addEventListener('click', () => {
      if (state.filters.status === button.dataset.status) return;
      state.filters.status = button.dataset.status;
      for (const other of document.querySelectorAll('[data-status]')) {
        other.setAttribute('aria-pressed', String(other === button));
      }
      restartList();
    });
  }
  byId('site-filter').addEventListener('change', (event) => {
    state.filters.site = event.target.value;
    restartList();
  });
  byId('channel-filter').addEventListener('change', (event) => {
    state.filters.channel = event.target.value;
    restartList();
  });
  byId('load-more').addEventListener('click', () => loadList({ older: true }));
  byId('back').append(controlIcon('back'));
  byId('back').addEventListener('click', backToList);
  const close = byId('close-conversation');
  const reopen = byId('reopen-conversation');
  close.addEventListener('click', () => changeStatus('close', close));
  reopen.addEventListener('click', () => changeStatus('reopen', reopen));
  byId('thread-name').tabIndex = -1;
  byId('sign-out').addEventListener('click', async () => {
    await call('POST', '/inbox/api/logout').catch(() => {});
    toSignIn();
  });
  // Arrow keys move between conversations; Escape goes back to the list on a phone.
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...list.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement);
    const next = links[at + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isPhone() && state.selected) backToList();
  });
  window.addEventListener('hashchange', () => {
    state.navigatedHere = true;
    route();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.selected) loadConversation();
  });
}

async function start() {
  try {
    state.me = await call('GET', '/inbox/api/me');
  } catch (failure) {
    if (failure.status !== 401) showStartFailure(failure.message, start);
    return;
  }
  useCsrfToken(state.me.csrf);
  showOperator(state.me);
  route();
  loadList();
  startLiveUpdates();
}

wireControls();
start();

// What the inbox page knows, shared by its modules: who is signed in, the filters, the
// conversations listed and the one on screen; and the API call that sends a page whose
// session has ended back to the sign-in.

import { api, ApiError, segment } from './api.js';

export const state = {
  /** `GET /inbox/api/me`: login, name, sites, csrf. */
  me: null,
  filters: { status: 'open', site: '', channel: '' },
  /** The list as shown, newest activity first. */
  conversations: [],
  /** The cursor of the next older page, if any. */
  next: null,
  pagesLoaded: 0,
  /** `{site, id, key}` of the conversation on screen. */
  selected: null,
  /** Its last `GET /inbox/api/conversations/{site}/{id}` answer. */
  detail: null,
  /** The live stream: connecting, live or offline. */
  live: 'connecting',
  /** Whether the page itself navigated to the conversation (then Back goes back). */
  navigatedHere: false,
};

/** Site names by id, from `me`. */
export const siteNames = new Map();

/** How an operator is named beside their replies: the signed-in one by their name. */
export function operatorName(login) {
  const me = state.me;
  if (!login) return 'Operator';
  return me && me.login.toLowerCase() === String(login).toLowerCase() ? me.name : login;
}

export function toSignIn() {
  window.location.assign('/inbox/login');
}

/** `api`, where a 401 means the session has ended: off to sign in again. */
export async function call(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401) toSignIn();
    throw failure;
  }
}

/** The API path of a conversation, or of an action on it (`/messages`, `/close`…). */
export function conversationPath(selected, action = '') {
  return `/inbox/api/conversations/${segment(selected.site)}/${segment(selected.id)}${action}`;
}

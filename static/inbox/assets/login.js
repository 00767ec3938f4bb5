// The sign-in page: posts the login and password as JSON, then opens the inbox. The relay
// sets the session cookie; this page never sees it.

import { api, ApiError } from './api.js';
import { byId } from './dom.js';

const form = byId('sign-in');
const login = byId('login');
const password = byId('password');
const error = byId('sign-in-error');
const button = byId('sign-in-button');

function showError(message) {
  error.textContent = message;
  error.hidden = false;
  login.setAttribute('aria-invalid', 'true');
  password.setAttribute('aria-invalid', 'true');
}

function clearError() {
  error.hidden = true;
  login.removeAttribute('aria-invalid');
  password.removeAttribute('aria-invalid');
}

function messageFor(failure) {
  if (!(failure instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (failure.status === 401) return 'That login and password do not match an operator. Check both and try again.';
  if (failure.status === 429) {
    const wait = failure.retryAfter ?? 60;
    const when = wait >= 90 ? `${Math.ceil(wait / 60)} minutes` : `${wait} seconds`;
    return `Too many failed attempts. Try again in ${when}.`;
  }
  return failure.message || 'The relay could not sign you in. Please try again.';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError();
  if (!login.value.trim() || !password.value) {
    showError('Enter your login and your password.');
    (login.value.trim() ? password : login).focus();
    return;
  }
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    await api('POST', '/inbox/api/login', { login: login.value.trim(), password: password.value });
    window.location.assign('/inbox/');
  } catch (failure) {
    showError(messageFor(failure));
    password.value = '';
    password.focus();
    button.disabled = false;
    button.textContent = 'Sign in';
  }
});

for (const field of [login, password]) field.addEventListener('input', clearError);

// Talking to the relay's inbox API: JSON in and out, the session's CSRF token on every request
// that changes something, and one error type with the relay's own words in it.

let csrfToken = null;

/** Remembers the session's CSRF token (from /inbox/api/me or the sign-in). */
export function useCsrfToken(token) {
  csrfToken = token;
}

/** A request the relay refused, or that never reached it (`status` 0). */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * The code and message of an error answer. The relay answers `{"error": {"code", "message"}}`;
 * the flat `{"error": code, "message"}` is understood as well.
 */
export function errorOf(body, status) {
  const error = body && body.error;
  if (error && typeof error === 'object') {
    return { code: String(error.code ?? `http_${status}`), message: String(error.message ?? '') };
  }
  if (typeof error === 'string') {
    return { code: error, message: String(body.message ?? '') };
  }
  return { code: `http_${status}`, message: `The relay answered with status ${status}.` };
}

/** Calls the API; resolves with the JSON answer (null for 204), rejects with an ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'The relay cannot be reached. Check your connection.');
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => null);
  if (response.ok) return answer;
  const { code, message } = errorOf(answer, response.status);
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  throw new ApiError(response.status, code, message, Number.isFinite(retryAfter) ? retryAfter : null);
}

/** A path segment, escaped. */
export function segment(value) {
  return encodeURIComponent(String(value));
}

/** A random client key for a reply (22 characters of A-Z a-z 0-9 - _), so a retry adds it once. */
export function clientKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The /v1 API, called as any client calls it: the key goes in the Authorization header, never in a URL. It lives in
// sessionStorage, so it is gone when the tab closes.

const KEY = 'conveyor.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** A problem+json answer (RFC 9457), or a network failure shown as one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Calls the API; resolves to {status, headers, body} for 2xx and 304, rejects with an ApiError otherwise. A 401
 * ends the session (the key was revoked or is wrong) and says so to the app.
 */
export async function api(path, { method = 'GET', body, headers = {}, signal, key = session.key() } = {}) {
  let response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      signal,
      cache: 'no-store',
      headers: {
        Authorization: `Bearer ${key}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'No answer', detail: 'The API could not be reached. Is it running?' });
  }
  if (response.ok || response.status === 304) {
    const text = response.status === 304 ? '' : await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }
  let problem;
  try {
    problem = await response.json();
  } catch {
    problem = { title: response.statusText || 'Error', detail: '' };
  }
  const error = new ApiError(response.status, problem);
  if (response.status === 401 && key === session.key()) {
    window.dispatchEvent(new CustomEvent('conveyor:unauthorized', { detail: error }));
  }
  throw error;
}

/** The server's hint for the next read (Poll-After-Ms), within bounds; the fallback when there is none. */
export function pollAfter(response, fallbackMs, minMs = 250, maxMs = 10_000) {
  const hint = Number(response.headers.get('Poll-After-Ms'));
  return Math.min(maxMs, Math.max(minMs, hint > 0 ? hint : fallbackMs));
}

// HTTP and Server-Sent Events access to the observatory API (same origin only).
//
// The access token, when the page was opened with `?token=…`, is sent as `Authorization: Bearer` on
// every API call and as `?token=` on the event stream (EventSource cannot send headers). URLs are
// always built from fixed paths on this page's origin; data never chooses where a request goes.

/** An API call answered with a non-2xx status. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   */
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** @returns {string | undefined} the `token` query parameter of the page URL, if any */
export function pageToken() {
  const token = new URLSearchParams(window.location.search).get("token");
  return token === null || token === "" ? undefined : token;
}

/**
 * Creates the API client.
 * @param {{ token?: string | undefined }} options
 */
export function createApi({ token }) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;

  /**
   * GETs a JSON document from a fixed API path with query parameters (empty values are left out).
   * @param {string} path an absolute path on this origin, e.g. `/api/traces`
   * @param {Record<string, string | number | undefined>} [params]
   * @param {AbortSignal} [signal]
   * @returns {Promise<any>}
   */
  async function getJson(path, params, signal) {
    const url = new URL(path, window.location.origin);
    if (url.origin !== window.location.origin) throw new Error("cross-origin API path");
    for (const [key, value] of Object.entries(params ?? {})) {
      if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
    }
    /** @type {RequestInit} */
    const init = { headers, credentials: "same-origin", cache: "no-store" };
    if (signal) init.signal = signal;
    const response = await fetch(url, init);
    if (!response.ok) {
      const reason = response.status === 401 || response.status === 403 ? "unauthorized" : response.statusText;
      throw new ApiError(`${path}: HTTP ${response.status} ${reason}`.trim(), response.status);
    }
    return response.json();
  }

  /**
   * Opens the `/api/events` stream. The browser reconnects by itself after a dropped connection; when
   * the stream is closed for good (an HTTP error), it is reopened after `retryMs`.
   * @param {{ onUpdate: (data: unknown) => void, onStatus: (status: "connecting" | "live" | "offline") => void,
   *   retryMs?: number }} handlers
   * @returns {() => void} closes the stream
   */
  function openEvents({ onUpdate, onStatus, retryMs = 5000 }) {
    const url = new URL("/api/events", window.location.origin);
    if (token !== undefined) url.searchParams.set("token", token);
    /** @type {EventSource | undefined} */
    let source;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    let closed = false;

    const connect = () => {
      onStatus("connecting");
      source = new EventSource(url);
      source.addEventListener("open", () => onStatus("live"));
      source.addEventListener("update", (event) => {
        let data;
        try {
          data = JSON.parse(/** @type {MessageEvent} */ (event).data);
        } catch {
          data = undefined;
        }
        onUpdate(data);
      });
      source.addEventListener("error", () => {
        if (!source || closed) return;
        if (source.readyState === EventSource.CLOSED) {
          onStatus("offline");
          source.close();
          timer = setTimeout(connect, retryMs);
        } else {
          onStatus("connecting");
        }
      });
    };
    connect();

    return () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      source?.close();
    };
  }

  return { getJson, openEvents };
}

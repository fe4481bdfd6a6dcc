// Shared by every benchmark child process: a network guard (nothing in a benchmark may talk to the
// network; attempts are counted and blocked; the model runner's HTTP processes may reach loopback
// only) and a description of the OpenTelemetry global state.
import net from "node:net";

/** The only hosts a guard with `allowLoopback` lets a socket or `fetch` reach. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "[::1]"]);
/** `http://127.0.0.1:…/` or `http://[::1]:…/` (what `fetch` may reach with `allowLoopback`). */
const LOOPBACK_URL = /^https?:\/\/(?:127\.0\.0\.1|\[::1\])(?::\d+)?(?:[/?#]|$)/;

/**
 * The host and IPC path of a `socket.connect(...)` call, in any of its forms: `(options, cb)`,
 * `(port, host, cb)`, `(path, cb)`, or the normalised `([options, cb])` that `net.connect` passes.
 */
function connectTarget(args) {
  const a = Array.isArray(args[0]) ? args[0] : args;
  const first = a[0];
  if (first !== null && typeof first === "object") return { host: first.host, path: first.path ?? undefined };
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first)))
    return { host: typeof a[1] === "string" ? a[1] : undefined, path: undefined };
  return { host: undefined, path: first };
}

/**
 * Blocks and counts socket connections and `fetch` calls; returns the live counter
 * (`attempts`: blocked). With `allowLoopback`, TCP connections to 127.0.0.1 or ::1 (given as an IP
 * address: no name is resolved) and `fetch` of http(s)://127.0.0.1 or [::1] URLs go through and are
 * counted in `loopback`; everything else is still blocked.
 */
export function installNetworkGuard({ allowLoopback = false } = {}) {
  const network = { attempts: 0, loopback: 0 };
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    if (allowLoopback) {
      const { host, path } = connectTarget(args);
      if (path === undefined && LOOPBACK_HOSTS.has(host)) {
        network.loopback++;
        return Reflect.apply(originalConnect, this, args);
      }
    }
    network.attempts++;
    this.destroy(new Error("bench: network access blocked"));
    return this;
  };
  if (typeof globalThis.fetch === "function") {
    const originalFetch = globalThis.fetch;
    globalThis.fetch = allowLoopback
      ? function guardedFetch(input, init) {
          const url = typeof input === "string" ? input : input instanceof URL ? input.href : input?.url;
          if (typeof url === "string" && LOOPBACK_URL.test(url)) return originalFetch(input, init);
          network.attempts++;
          return Promise.reject(new Error("bench: network access blocked (loopback only)"));
        }
      : async () => {
          network.attempts++;
          throw new Error("bench: network access blocked");
        };
  }
  return network;
}

const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/** What is registered with the OpenTelemetry API in this process, as a sentence. */
export function otelState() {
  const g = globalThis[OTEL_GLOBAL];
  if (g === undefined) return "no OpenTelemetry global registered";
  const registered = Object.keys(g).filter((k) => k !== "version");
  return registered.length === 0
    ? "OpenTelemetry API loaded, nothing registered"
    : `registered: ${registered.join(", ")}`;
}

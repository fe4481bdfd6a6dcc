// Shared by every benchmark child process: a network guard (nothing in a benchmark may talk to the
// network; attempts are counted and blocked) and a description of the OpenTelemetry global state.
import net from "node:net";

/** Blocks and counts socket connections and `fetch` calls; returns the live counter. */
export function installNetworkGuard() {
  const network = { attempts: 0 };
  net.Socket.prototype.connect = function guardedConnect() {
    network.attempts++;
    this.destroy(new Error("bench: network access blocked"));
    return this;
  };
  if (typeof globalThis.fetch === "function") {
    globalThis.fetch = async () => {
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

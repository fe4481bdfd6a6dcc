/**
 * Test helper: a loopback HTTP server standing in for an app's Prometheus `/metrics` page.
 */
import { createServer } from "node:http";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A started endpoint: its server and its `/metrics` URL. */
export interface MetricsEndpoint {
  readonly server: Server;
  readonly url: string;
}

/** Starts a server on a free 127.0.0.1 port answering every request with `handler`. */
export async function startMetricsEndpoint(handler: RequestListener): Promise<MetricsEndpoint> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

/** Closes `server`, dropping its open connections (scrapers keep theirs alive), once it has closed. */
export function closeMetricsEndpoint(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

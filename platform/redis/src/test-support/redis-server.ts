/**
 * A real `redis-server` for the tests of `@tta/redis`, shared by every test file of the package.
 *
 * - `TTA_REDIS_URL` set (CI may start one): that server is used and never stopped or flushed; tests
 *   isolate themselves with unique key prefixes ({@link uniqueName}).
 * - Otherwise `redis-server` (from `PATH`, or `/usr/bin/redis-server`) is started on a free loopback
 *   port with persistence off in a temporary directory; {@link TestRedis.stop} kills it and waits
 *   for its exit.
 * - Neither available: {@link redisSkipReason} says why and the suites skip, unless
 *   `TTA_REQUIRE_REDIS=1`, where importing this module throws instead.
 *
 * Test-only: not built, not published.
 *
 * @example
 * ```ts
 * describe.skipIf(redisSkipReason !== undefined)("redis cache", () => {
 *   let redis: TestRedis;
 *   beforeAll(async () => { redis = await startTestRedis(); });
 *   afterAll(() => redis.stop());
 * });
 * ```
 * @packageDocumentation
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { type Server, type Socket, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** A running Redis for tests. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` (or `TTA_REDIS_URL`). */
  readonly url: string;
  /** Whether this helper started the server (and will stop it). */
  readonly owned: boolean;
  /** Stops the server this helper started (no-op for `TTA_REDIS_URL`); resolves once it has exited. */
  stop(): Promise<void>;
}

function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const envUrl = process.env.TTA_REDIS_URL === "" ? undefined : process.env.TTA_REDIS_URL;
const binary = envUrl === undefined ? findRedisServer() : undefined;

/**
 * Why the Redis suites are skipped, or `undefined` when a Redis is available.
 * @throws an `Error` at import when no Redis is available and `TTA_REQUIRE_REDIS=1`.
 */
export const redisSkipReason: string | undefined =
  envUrl !== undefined || binary !== undefined
    ? undefined
    : "redis-server is not installed and TTA_REDIS_URL is not set (set TTA_REQUIRE_REDIS=1 to make this a failure)";

if (redisSkipReason !== undefined && process.env.TTA_REQUIRE_REDIS === "1")
  throw new Error(`TTA_REQUIRE_REDIS=1 but no Redis is available: ${redisSkipReason}`);

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\r\n")) done(data.startsWith("+PONG"));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr()}`);
    if (await pingOnce(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not answer PING on port ${port}: ${stderr()}`);
}

/**
 * Starts a `redis-server` on a free loopback port (or returns `TTA_REDIS_URL`).
 * @throws an `Error` when no Redis is available (check {@link redisSkipReason} first) or it does not start.
 */
export async function startTestRedis(): Promise<TestRedis> {
  if (envUrl !== undefined) return { url: envUrl, owned: false, stop: () => Promise.resolve() };
  if (binary === undefined) throw new Error(redisSkipReason);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tta-redis-"));
  const child = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(port, child, () => err);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, owned: true, stop };
}

/** A unique name for one test's keys (`<prefix>-<random>`), so tests never see each other's state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

/** A loopback TCP server that accepts connections and never answers: a hung Redis. */
export interface SilentServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on a free loopback port. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `redis://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

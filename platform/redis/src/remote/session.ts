/**
 * The connections one `remote()` keeps: a BullMQ `Queue` (producer, no offline queue: commands fail
 * fast while Redis is away), a `QueueEvents` reader for results, and a control client (cancel
 * messages, the events stream position at start-up).
 *
 * @packageDocumentation
 */
import { Queue, QueueEvents } from "bullmq";
import type { Redis, RedisOptions } from "ioredis";
import { bullConnection, connectControl, quit, within } from "../queue/connection.js";

/** The pub/sub channel that carries cancel messages (job ids) from callers to the queue's workers. */
export function cancelChannel(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:tta:cancel`;
}

/** Closes a BullMQ object, or drops its connections when Redis does not answer within 2 s. */
async function closeBull(target: Queue | QueueEvents | undefined): Promise<void> {
  if (target === undefined) return;
  try {
    await within(target.close(), 2_000, "close");
  } catch {
    // Stops reconnecting; may never report completion when the socket is already gone.
    await within(target.disconnect(), 1_000, "disconnect").catch(() => undefined);
  }
}

/** An open connection set of one `remote()`. */
export interface RemoteSession {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly control: Redis;
  readonly channel: string;
  close(): Promise<void>;
}

/**
 * Opens the connections, or rejects with a `RedisUnavailableError` within `timeoutMs` (closing
 * whatever was opened).
 *
 * @remarks The `QueueEvents` reader starts at the events stream's last entry as read *before* any
 * job is added, so no job's `completed`/`failed` event can fall between start-up and the first read.
 */
export async function openSession(
  queueName: string,
  redis: RedisOptions,
  prefix: string,
  timeoutMs: number,
): Promise<RemoteSession> {
  const control = await connectControl(redis, timeoutMs);
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  const closeAll = async (): Promise<void> => {
    await Promise.all([closeBull(events), closeBull(queue), quit(control)]);
  };
  try {
    queue = new Queue(queueName, {
      connection: bullConnection(redis, { enableOfflineQueue: false }),
      prefix,
      skipMetasUpdate: true,
    });
    queue.on("error", () => undefined); // surfaced on the operations that fail
    const last = await within(control.xrevrange(queue.keys.events ?? "", "+", "-", "COUNT", 1), timeoutMs, "start");
    const lastEventId = last[0]?.[0] ?? "0-0";
    events = new QueueEvents(queueName, {
      connection: bullConnection(redis),
      prefix,
      lastEventId,
      blockingTimeout: 5_000,
    });
    events.on("error", () => undefined); // the reader reconnects on its own
    events.setMaxListeners(0);
    await within(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), timeoutMs, "start");
  } catch (error) {
    await closeAll();
    throw error;
  }
  return { queue, events, control, channel: cancelChannel(prefix, queueName), close: closeAll };
}

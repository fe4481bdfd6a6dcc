import { lambda } from "@tta/primitives";
import { cache } from "@tta/primitives/performance";
import { rateLimit } from "@tta/primitives/recovery";
import { redisCacheStore, redisTokenBucket } from "@tta/redis";

/** Every app process builds its model call the same way, on stores that live in Redis. */
export function sharedModelCall(redisUrl: string, askModel: (prompt: string) => Promise<string>) {
  const answers = redisCacheStore({ connection: redisUrl, namespace: "answers" });
  const tpm = redisTokenBucket({ connection: redisUrl, key: "openai-tpm", capacity: 90_000, refillPerSecond: 1_500 });
  const limited = rateLimit(lambda(askModel, "ask-model"), {
    store: tpm, // one bucket for all processes
    cost: (prompt: string) => Math.ceil(prompt.length / 4) + 500, // tokens charged per call
  });
  return cache(limited, { store: answers, ttlMs: 600_000 }); // N processes missing one key run it once
}

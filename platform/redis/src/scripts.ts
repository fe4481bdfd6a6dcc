/**
 * The Lua scripts of the stores (each runs atomically on the server) and a runner that uses
 * `EVALSHA` and falls back to `EVAL` once when the server does not know the script yet.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script and its SHA-1. @internal */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Takes the single-flight lock: KEYS[1] lock, KEYS[2] fence counter; ARGV[1] TTL ms. Returns the new
 * fencing token, or 0 when the lock is held.
 * @internal
 */
export const LOCK: Script = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
`);

/**
 * Compare-and-delete: KEYS[1] lock; ARGV[1] token. Deletes the lock only if it still holds the
 * token (a holder whose lock expired and was re-granted deletes nothing). Returns 1 or 0.
 * @internal
 */
export const RELEASE: Script = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Token bucket on server time: KEYS[1] bucket hash; ARGV[1] capacity, ARGV[2] refill per ms,
 * ARGV[3] cost, ARGV[4] 1 to charge unconditionally (may go negative: actual usage after a call).
 * Returns { admitted (1/0), retryAfterMs (-1 = never: cost above capacity) }.
 * @internal
 */
export const TAKE: Script = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local force = ARGV[4] == '1'
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then tokens = cap; ts = now end
if now > ts then
  tokens = math.min(cap, tokens + (now - ts) * rate)
  ts = now
end
local ok = 0
local wait = 0
if force then
  tokens = tokens - cost
  ok = 1
elseif cost > cap then
  wait = -1
elseif tokens >= cost then
  tokens = tokens - cost
  ok = 1
else
  wait = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
local full = math.ceil((cap - tokens) / rate) + 1000
if full > 2147483647 then full = 2147483647 end
redis.call('PEXPIRE', KEYS[1], full)
return { ok, wait }
`);

/** Runs `s` with `EVALSHA`, loading it with `EVAL` on `NOSCRIPT`. @internal */
export async function runScript(
  client: Redis,
  s: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NOSCRIPT"))
      return client.eval(s.source, keys.length, ...keys, ...args);
    throw error;
  }
}

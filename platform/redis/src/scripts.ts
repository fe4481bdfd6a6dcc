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

/** Server time in ms, as the breaker scripts read it. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Circuit-breaker admission on server time: KEYS[1] state hash, KEYS[2] probe slot; ARGV[1] the
 * caller's probe token, ARGV[2] probe timeout ms. Makes a due open → half-open change and, while
 * half-open, grants the probe slot to one caller cluster-wide (`SET NX PX`). Returns
 * { allowed (1/0), state, probe (1/0), retryAfterMs, state before } plus, when closed, the
 * consecutive failures (for the store's local read-through).
 * @internal
 */
export const BREAKER_ACQUIRE: Script = script(`
${NOW}
local s = redis.call('HMGET', KEYS[1], 'state', 'until', 'failures')
local state = s[1] or 'closed'
local from = state
if state == 'closed' then return { 1, state, 0, 0, from, tonumber(s[3]) or 0 } end
if state == 'open' then
  local u = tonumber(s[2]) or 0
  if now < u then return { 0, state, 0, u - now, from } end
  state = 'half-open'
  redis.call('HSET', KEYS[1], 'state', state, 'successes', 0)
  redis.call('DEL', KEYS[2])
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return { 1, state, 1, 0, from } end
return { 0, state, 0, 0, from }
`);

/**
 * Records a call's outcome on server time: KEYS[1] state hash, KEYS[2] probe slot; ARGV[1] outcome
 * (`s`, `f` or `n`), ARGV[2] the probe token (empty for a closed-state call), ARGV[3] failure
 * threshold, ARGV[4] recovery timeout ms, ARGV[5] success threshold. A probe counts only while it
 * still holds the slot; a closed-state call only while closed. Returns { state, state before } plus,
 * when the result is closed, the consecutive failures (for the store's local read-through).
 * @internal
 */
export const BREAKER_RECORD: Script = script(`
${NOW}
local s = redis.call('HMGET', KEYS[1], 'state', 'failures', 'successes')
local state = s[1] or 'closed'
local outcome = ARGV[1]
if ARGV[2] ~= '' then
  if state ~= 'half-open' or redis.call('GET', KEYS[2]) ~= ARGV[2] then return { state, state } end
  redis.call('DEL', KEYS[2])
  if outcome == 'f' then
    redis.call('HSET', KEYS[1], 'state', 'open', 'until', now + tonumber(ARGV[4]), 'failures', 0, 'successes', 0)
    return { 'open', state }
  end
  if outcome == 's' then
    local n = (tonumber(s[3]) or 0) + 1
    if n >= tonumber(ARGV[5]) then
      redis.call('DEL', KEYS[1])
      return { 'closed', state, 0 }
    end
    redis.call('HSET', KEYS[1], 'successes', n)
  end
  return { state, state }
end
if state ~= 'closed' then return { state, state } end
local n = tonumber(s[2]) or 0
if outcome == 's' then
  if s[2] then redis.call('DEL', KEYS[1]) end
  n = 0
elseif outcome == 'f' then
  n = n + 1
  if n >= tonumber(ARGV[3]) then
    redis.call('HSET', KEYS[1], 'state', 'open', 'until', now + tonumber(ARGV[4]), 'failures', 0, 'successes', 0)
    return { 'open', state }
  end
  redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', n)
end
return { state, state, n }
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

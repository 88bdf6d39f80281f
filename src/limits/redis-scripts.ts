/**
 * Lua scripts of the Redis limit backend. Redis runs a script to completion before any other
 * command, so a check across several counters and the charge that follows are one atomic step,
 * whatever the number of gateway replicas. Time comes in as an argument (the gateway's clock),
 * never from Redis TIME, so tests can simulate a minute. Companion keys (`:sum`, `:l`) are derived
 * from a declared key and share its `{prefix}` hash tag, so every key lives in one slot.
 */

/** Units are stored in the member as `<request id>|<units>`. */
export const RATE_SCRIPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local sums = {}
for i = 1, #KEYS do
  local k = KEYS[i]
  local w = tonumber(ARGV[3 * i])
  local lim = tonumber(ARGV[3 * i + 1])
  local cost = tonumber(ARGV[3 * i + 2])
  local sk = k .. ':sum'
  local sum = tonumber(redis.call('GET', sk) or '0')
  local old = redis.call('ZRANGEBYSCORE', k, '-inf', now - w)
  if #old > 0 then
    for _, m in ipairs(old) do sum = sum - tonumber(string.match(m, '|(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', k, '-inf', now - w)
    if sum < 0 then sum = 0 end
    redis.call('SET', sk, sum, 'PX', w)
  end
  sums[i] = sum
  if sum + cost > lim then
    local retry = w
    if cost <= lim then
      local entries = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[j], '|(%d+)$'))
        if sum - freed + cost <= lim then
          retry = tonumber(entries[j + 1]) + w - now
          break
        end
      end
    end
    return {0, i, retry, sum}
  end
end
local out = {1}
for i = 1, #KEYS do
  local k = KEYS[i]
  local w = tonumber(ARGV[3 * i])
  local cost = tonumber(ARGV[3 * i + 2])
  redis.call('ZADD', k, now, member .. '|' .. cost)
  redis.call('PEXPIRE', k, w)
  redis.call('SET', k .. ':sum', sums[i] + cost, 'PX', w)
  local oldest = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
  out[#out + 1] = sums[i] + cost
  out[#out + 1] = tonumber(oldest[2]) + w - now
end
return out
`;

/** ARGV: now, lease id, lease expiry, key ttl ms, then one limit per key. */
export const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[4 + i]) then return {0, i} end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[4]))
end
return {1}
`;

export const RELEASE_SCRIPT = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

/** ARGV: now, reservation id, amount, lease expiry, then (limit, keep-until) per budget. */
export const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local amount = tonumber(ARGV[3])
for i = 1, #KEYS do
  local h = KEYS[i]
  local l = h .. ':l'
  local stale = redis.call('ZRANGEBYSCORE', l, '-inf', now)
  for _, m in ipairs(stale) do
    local a = redis.call('HGET', h, 'r:' .. m)
    if a then
      redis.call('HINCRBY', h, 'reserved', -tonumber(a))
      redis.call('HDEL', h, 'r:' .. m)
    end
  end
  if #stale > 0 then redis.call('ZREMRANGEBYSCORE', l, '-inf', now) end
  local spent = tonumber(redis.call('HGET', h, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', h, 'reserved') or '0')
  if spent + reserved + amount > tonumber(ARGV[3 + 2 * i]) then
    return {0, i, spent, reserved}
  end
end
for i = 1, #KEYS do
  local h = KEYS[i]
  local keep = tonumber(ARGV[4 + 2 * i])
  redis.call('HINCRBY', h, 'reserved', amount)
  redis.call('HSET', h, 'r:' .. id, amount)
  redis.call('ZADD', h .. ':l', tonumber(ARGV[4]), id)
  redis.call('PEXPIREAT', h, keep)
  redis.call('PEXPIREAT', h .. ':l', keep)
end
return {1}
`;

/** ARGV: reservation id, actual cost, then keep-until per budget. */
export const SETTLE_SCRIPT = `
local id = ARGV[1]
local out = {}
for i = 1, #KEYS do
  local h = KEYS[i]
  local a = redis.call('HGET', h, 'r:' .. id)
  if a then
    redis.call('HINCRBY', h, 'reserved', -tonumber(a))
    redis.call('HDEL', h, 'r:' .. id)
    redis.call('ZREM', h .. ':l', id)
  end
  out[#out + 1] = redis.call('HINCRBY', h, 'spent', tonumber(ARGV[2]))
  out[#out + 1] = tonumber(redis.call('HGET', h, 'reserved') or '0')
  redis.call('PEXPIREAT', h, tonumber(ARGV[2 + i]))
end
return out
`;

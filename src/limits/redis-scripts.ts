/**
 * Lua scripts of the Redis limit backend. Redis runs a script to completion before any other
 * command, so a check across several counters and the charge that follows are one atomic step,
 * whatever the number of gateway replicas. Time comes in as an argument (the gateway's clock),
 * never from Redis TIME, so tests can simulate a minute. Every key a script touches is declared,
 * so a script runs on a Redis Cluster as long as its keys share a hash tag.
 */
import { WINDOW_BUCKETS } from './window.js';

/**
 * A sliding window as one small hash. Field `<slot>` packs a bucket's (earliest unit's time,
 * units) as little-endian doubles, bucket `b` in slot `b % (WINDOW_BUCKETS + 1)`; a slot counts
 * for bucket `b` only if its time falls in `b`, so a slot left over from an older bucket is
 * ignored without being cleared. Field `h` (the hash's first, so found at once) packs the header:
 * units counted, window ms, and the oldest and newest counted buckets with their (time, units).
 * The rules are those of `SlidingWindow` in `window.ts`: a bucket leaves the window when its
 * earliest unit does; a clock behind the newest bucket charges that bucket. A request reads and
 * writes the header only; the newest bucket goes to its slot when a newer one starts, and the
 * slots are read only when the oldest bucket leaves the window (once per bucket) or to tell a
 * refused caller how long to wait for a large cost.
 *
 * ARGV: now, then (window ms, limit, cost) per key. Reply: {1, then (sum, reset ms) per key} or
 * {0, index of the refusing key (1-based), retry ms, its sum}.
 */
export const RATE_SCRIPT = `
local N = ${WINDOW_BUCKETS}
local SLOTS = N + 1
local now = tonumber(ARGV[1])
local ws = {}

-- Units and earliest time of bucket b, from the header or its slot; 0 when b has none.
local function bucket(w, b)
  if b == w.first then return w.fc, w.fe end
  if b == w.last then return w.lc, w.le end
  local k = b % SLOTS
  local raw = w.raw[k]
  if raw == nil then
    local fields = {}
    for x = b, w.last do fields[#fields + 1] = tostring(x % SLOTS) end
    local got = redis.call('HMGET', w.key, unpack(fields))
    for n = 1, #got do w.raw[(b + n - 1) % SLOTS] = got[n] end
    raw = w.raw[k]
  end
  if not raw then return 0, 0 end
  local e, c = struct.unpack('<dd', raw)
  if c > 0 and math.floor(e / w.bw) == b then return c, e end
  return 0, 0
end

for i = 1, #KEYS do
  local base = 3 * i - 1
  local w = { key = KEYS[i], win = tonumber(ARGV[base]), lim = tonumber(ARGV[base + 1]),
              cost = tonumber(ARGV[base + 2]), raw = {}, sum = 0 }
  w.bw = math.max(1, math.floor(w.win / N))
  w.cur = math.floor(now / w.bw)
  local lo = w.cur - N
  local h = redis.call('HGET', w.key, 'h')
  if h then
    local sum, win, first, fe, fc, last, le, lc = struct.unpack('<dddddddd', h)
    if win == w.win and lo <= last then
      w.sum, w.first, w.fe, w.fc, w.last, w.le, w.lc = sum, first, fe, fc, last, le, lc
    end
  end
  while w.first do
    if w.first > lo or (w.first == lo and w.fe + w.win > now) then break end
    w.sum = w.sum - w.fc
    if w.first == w.last then
      w.first = nil
      w.sum = 0
    else
      local b = w.first + 1
      w.first = nil
      while b < w.last do
        local c, e = bucket(w, b)
        if c > 0 then
          w.first, w.fc, w.fe = b, c, e
          break
        end
        b = b + 1
      end
      if not w.first then w.first, w.fc, w.fe = w.last, w.lc, w.le end
    end
  end
  if w.sum + w.cost > w.lim then
    local retry = w.win
    if w.cost <= w.lim and w.first then
      local freed = 0
      for b = w.first, w.last do
        local c, e = bucket(w, b)
        freed = freed + c
        if c > 0 and w.sum - freed + w.cost <= w.lim then
          retry = math.max(1, e + w.win - now)
          break
        end
      end
    end
    return {0, i, retry, w.sum}
  end
  ws[i] = w
end

local out = {1}
for i = 1, #KEYS do
  local w = ws[i]
  w.sum = w.sum + w.cost
  if w.cost > 0 then
    local moved = nil
    local created = not w.first
    if created then
      w.first, w.fe, w.fc = w.cur, now, w.cost
      w.last, w.le, w.lc = w.cur, now, w.cost
    elseif w.cur > w.last then
      moved = {w.last, w.le, w.lc}
      w.last, w.le, w.lc = w.cur, now, w.cost
    else
      if w.last == w.cur and now < w.le then w.le = now end
      w.lc = w.lc + w.cost
      if w.first == w.last then w.fe, w.fc = w.le, w.lc end
    end
    local header = struct.pack('<dddddddd', w.sum, w.win, w.first, w.fe, w.fc, w.last, w.le, w.lc)
    if moved then
      redis.call('HSET', w.key, 'h', header,
        tostring(moved[1] % SLOTS), struct.pack('<dd', moved[2], moved[3]))
    else
      redis.call('HSET', w.key, 'h', header)
    end
    if moved or created then
      redis.call('PEXPIRE', w.key, math.max(1, (w.last + 1) * w.bw + w.win - now))
    end
  end
  out[#out + 1] = w.sum
  out[#out + 1] = (w.first and w.fe or now) + w.win - now
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

/**
 * A budget is one hash: `spent`, `reserved` (open reservations), `nx` (no open reservation
 * expires before this) and one `r:<id>` field per open reservation, `<amount>|<expiry>`. A
 * reservation's lease is checked only when `nx` has passed: then one sweep drops every expired
 * reservation and sets `nx` to the next expiry, so a budget is swept about once per lease TTL.
 *
 * ARGV: now, reservation id, amount, lease expiry, then (limit, keep-until) per budget.
 */
export const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local amount = tonumber(ARGV[3])
local expiry = tonumber(ARGV[4])
local state = {}
for i = 1, #KEYS do
  local h = KEYS[i]
  local v = redis.call('HMGET', h, 'spent', 'reserved', 'nx')
  local spent = tonumber(v[1] or '0')
  local reserved = tonumber(v[2] or '0')
  local nx = tonumber(v[3] or '')
  if nx and nx <= now then
    local all = redis.call('HGETALL', h)
    local gone = {}
    nx = nil
    for j = 1, #all, 2 do
      if string.sub(all[j], 1, 2) == 'r:' then
        local a, x = string.match(all[j + 1], '^(%-?%d+)|(%d+)$')
        a = tonumber(a)
        x = tonumber(x)
        if x <= now then
          reserved = reserved - a
          gone[#gone + 1] = all[j]
        elseif not nx or x < nx then
          nx = x
        end
      end
    end
    if #gone > 0 then redis.call('HDEL', h, unpack(gone)) end
    if nx then
      redis.call('HSET', h, 'reserved', string.format('%d', reserved), 'nx', string.format('%d', nx))
    else
      redis.call('HSET', h, 'reserved', string.format('%d', reserved))
      redis.call('HDEL', h, 'nx')
    end
  end
  if spent + reserved + amount > tonumber(ARGV[3 + 2 * i]) then
    return {0, i, spent, reserved}
  end
  state[i] = { reserved = reserved, nx = nx, fresh = not v[1] and not v[2] }
end
local lease = string.format('%d|%d', amount, expiry)
for i = 1, #KEYS do
  local h = KEYS[i]
  local st = state[i]
  local reserved = string.format('%d', st.reserved + amount)
  if st.nx and st.nx <= expiry then
    redis.call('HSET', h, 'reserved', reserved, 'r:' .. id, lease)
  else
    redis.call('HSET', h, 'reserved', reserved, 'r:' .. id, lease, 'nx', string.format('%d', expiry))
  end
  if st.fresh then redis.call('PEXPIREAT', h, ARGV[4 + 2 * i]) end
end
return {1}
`;

/**
 * Settles a batch of reservations in one call. ARGV: the number of settlements, then per
 * settlement: its number of budgets, reservation id, actual cost, then keep-until per budget;
 * KEYS: every settlement's budgets in that order. Reply: (spent, reserved) per budget.
 */
export const SETTLE_SCRIPT = `
local out = {}
local k = 1
local a = 2
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  local field = 'r:' .. ARGV[a + 1]
  local actual = tonumber(ARGV[a + 2])
  a = a + 3
  for _ = 1, n do
    local h = KEYS[k]
    local v = redis.call('HMGET', h, field, 'spent', 'reserved')
    local spent = tonumber(v[2] or '0') + actual
    local reserved = tonumber(v[3] or '0')
    if v[1] then
      reserved = reserved - tonumber(string.match(v[1], '^(%-?%d+)'))
      redis.call('HDEL', h, field)
    end
    redis.call('HSET', h, 'spent', string.format('%d', spent), 'reserved', string.format('%d', reserved))
    if not v[2] then redis.call('PEXPIREAT', h, ARGV[a]) end
    out[#out + 1] = spent
    out[#out + 1] = reserved
    k = k + 1
    a = a + 1
  end
end
return out
`;

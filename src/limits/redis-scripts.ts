/**
 * Lua scripts of the Redis limit backend. Redis runs a script to completion before any other
 * command, so the checks of a request over every counter and the charges that follow are one
 * atomic step, whatever the number of gateway replicas. Time comes in as an argument (the
 * gateway's clock), never from Redis TIME, so tests can simulate an hour. Every key a script
 * touches is declared, so a script runs on a Redis Cluster as long as its keys share a hash tag.
 *
 * Layout (`redis.ts` builds the arguments): one hash per subject, `<prefix>:{<subject>}`, holds
 * every rate window and budget of that subject as fields, so a request reads each subject once
 * (one HMGET) and writes it once (one HSET). Its fields:
 * - `:x`: the gateway time until which the hash must live; the TTL is set only when a need
 *   passes it (a new rate sub-bucket or a new budget window), not on every request.
 * - rate window `<f>` (e.g. `rl:rpm`): its header. Its sub-buckets live in a hash of their own,
 *   `<prefix>:{<subject>}:<f>`, written once per sub-bucket and read rarely, so the subject hash
 *   stays small (a Redis listpack) and cheap to read on every request.
 * - budget window `<f>` (e.g. `b:m202506`): settled spend; `<f>.r`: open reservations.
 * - `:r:<request id>`: one open reservation, `<amount>|<expiry>|<f>.r,<f>.r` (the gateway builds
 *   the string); `:nx`: no open reservation expires before this; `:bw`: the budget windows and
 *   the time each may be dropped, `<f>=<ms>;...`, read only when a new window starts.
 * - concurrency `<f>` (e.g. `cc`): slots held; `:c:<request id>`: one held slot,
 *   `1|<expiry>|<f>` (a lease like a reservation, swept the same way when it expires).
 */
import { WINDOW_BUCKETS } from './window.js';

/**
 * The subject hashes a script call touches, read and written through this cache: a field is read
 * from Redis once (one HMGET for the fields not known yet), every write stays here, and
 * `flushAll` writes each hash once at the end (one HSET, one HDEL, its TTL), however many calls
 * of the batch touched it. A value kept here is the one Redis would return (a number written is
 * read back as the same number). A command that reads the whole hash (`sweep`) flushes it first.
 */
const CACHE = `
local cached = {}
local touched = {}
local function entry(key)
  local e = cached[key]
  if not e then
    e = { vals = {}, dirty = {}, n = 0 }
    cached[key] = e
    touched[#touched + 1] = key
  end
  return e
end
-- The values of list[from..to] (false for none).
local function hmget(key, list, from, to)
  local e = entry(key)
  local vals = e.vals
  local miss = {}
  for i = from, to do
    if vals[list[i]] == nil then miss[#miss + 1] = list[i] end
  end
  if #miss > 0 then
    local got = redis.call('HMGET', key, unpack(miss))
    for i = 1, #miss do vals[miss[i]] = got[i] end
  end
  local out = {}
  for i = from, to do out[#out + 1] = vals[list[i]] end
  return out
end
local function hget(key, field)
  local e = entry(key)
  local v = e.vals[field]
  if v == nil then
    v = redis.call('HGET', key, field)
    e.vals[field] = v
  end
  return v
end
-- pairs: field, value, field, value, ...
local function hset(key, pairs_)
  local e = entry(key)
  for i = 1, #pairs_, 2 do
    e.vals[pairs_[i]] = pairs_[i + 1]
    e.dirty[pairs_[i]] = true
  end
end
local function hdel(key, fields)
  local e = entry(key)
  for i = 1, #fields do
    e.vals[fields[i]] = false
    e.dirty[fields[i]] = true
  end
end
-- The TTL the hash gets when written (the last one asked for, as Redis would keep).
local function expire(key, cmd, arg)
  local e = entry(key)
  e.ttl, e.ttlArg = cmd, arg
end
local function flush(key)
  local e = cached[key]
  if not e then return end
  local set, del = {}, {}
  for f in pairs(e.dirty) do
    local v = e.vals[f]
    if v then
      set[#set + 1] = f
      set[#set + 1] = v
    else
      del[#del + 1] = f
    end
  end
  e.dirty = {}
  -- In pieces: unpack refuses a few thousand values (a sweep may drop that many leases).
  for i = 1, #del, 1000 do redis.call('HDEL', key, unpack(del, i, math.min(i + 999, #del))) end
  for i = 1, #set, 1000 do redis.call('HSET', key, unpack(set, i, math.min(i + 999, #set))) end
  if e.ttl then
    redis.call(e.ttl, key, e.ttlArg)
    e.ttl = nil
  end
end
local function flushAll()
  for i = 1, #touched do flush(touched[i]) end
end
`;

/**
 * A budget window's first use: record it in `:bw` and drop the windows whose retention ended.
 * Runs once per window (a day), so its string work stays off the per-request cost.
 */
const ADD_WINDOW = `
local function addWindow(key, f, keep, now)
  local bw = hget(key, ':bw')
  local kept = {}
  local gone = {}
  if bw then
    for name, until_ in string.gmatch(bw, '([^=;]+)=(%d+)') do
      if now and tonumber(until_) <= now then
        gone[#gone + 1] = name
        gone[#gone + 1] = name .. '.r'
      elseif name ~= f then
        kept[#kept + 1] = name .. '=' .. until_
      end
    end
  end
  kept[#kept + 1] = f .. '=' .. string.format('%d', keep)
  hdel(key, gone)
  hset(key, {':bw', table.concat(kept, ';')})
end
`;

/**
 * A sliding window: a header field in the subject hash, and a ring hash whose field `<slot>`
 * packs a bucket's (earliest unit's time, units) as little-endian doubles, bucket `b` in slot
 * `b % (WINDOW_BUCKETS + 1)`; a
 * slot counts for bucket `b` only if its time falls in `b`, so a slot left over from an older
 * bucket is ignored without being cleared. The header packs: units counted, window
 * ms, and the oldest and newest counted buckets with their (time, units). The rules are those of
 * `SlidingWindow` in `window.ts`: a bucket leaves the window when its earliest unit does; a clock
 * behind the newest bucket charges that bucket. A request reads and writes the header only; the
 * newest bucket goes to its slot when a newer one starts, and the slots are read only when the
 * oldest bucket leaves the window (once per bucket) or to tell a refused caller how long to wait.
 */
const RATE_FUNCTIONS = `
local N = ${WINDOW_BUCKETS}
local SLOTS = N + 1

-- Units and earliest time of bucket b, from the header or its slot; 0 when b has none.
local function bucket(w, b)
  if b == w.first then return w.fc, w.fe end
  if b == w.last then return w.lc, w.le end
  local k = b % SLOTS
  local raw = w.raw[k]
  if raw == nil then
    local fields = {}
    for x = b, w.last do fields[#fields + 1] = x % SLOTS end
    local got = redis.call('HMGET', w.ring, unpack(fields))
    for n = 1, #got do w.raw[(b + n - 1) % SLOTS] = got[n] end
    raw = w.raw[k]
  end
  if not raw then return 0, 0 end
  local e, c = struct.unpack('<dd', raw)
  if c > 0 and math.floor(e / w.bw) == b then return c, e end
  return 0, 0
end

-- The window's state at now, from its header (nil when it has none).
local function load(w, h, now)
  w.bw = math.max(1, math.floor(w.win / N))
  w.cur = math.floor(now / w.bw)
  local lo = w.cur - N
  w.sum = 0
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
end

-- How long until enough units leave for the cost to fit.
local function retryAfter(w, now)
  if w.cost > w.lim or not w.first then return w.win end
  local freed = 0
  for b = w.first, w.last do
    local c, e = bucket(w, b)
    freed = freed + c
    if c > 0 and w.sum - freed + w.cost <= w.lim then return math.max(1, e + w.win - now) end
  end
  return w.win
end

-- Charges the cost: appends the fields to write to set; returns the time the hash must live
-- until when a new bucket started, else nil.
local function charge(w, now, set)
  w.sum = w.sum + w.cost
  if w.cost <= 0 then return nil end
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
  set[#set + 1] = w.f
  set[#set + 1] = struct.pack('<dddddddd', w.sum, w.win, w.first, w.fe, w.fc, w.last, w.le, w.lc)
  if not (moved or created) then return nil end
  local need = (w.last + 1) * w.bw + w.win
  if moved then
    redis.call('HSET', w.ring, moved[1] % SLOTS, struct.pack('<dd', moved[2], moved[3]))
    redis.call('PEXPIRE', w.ring, math.max(1, need - now))
  end
  return need
end
`;

/**
 * Drops the leases (reservations `:r:`, slots `:c:`) that expired (a replica died holding them)
 * from the counters they count in. Runs only when `:nx` has passed, so about once per lease TTL a subject.
 * Returns the reserved totals it changed, and the next expiry.
 */
const SWEEP = `
local function sweep(key, now)
  flush(key)
  local all = redis.call('HGETALL', key)
  local vals = {}
  for j = 1, #all, 2 do vals[all[j]] = all[j + 1] end
  local changed = {}
  local gone = {}
  local nx = nil
  for name, v in pairs(vals) do
    local kind = string.sub(name, 1, 3)
    if kind == ':r:' or kind == ':c:' then
      local amount, expiry, rfs = string.match(v, '^(%-?%d+)|(%d+)|(.*)$')
      expiry = tonumber(expiry)
      if expiry <= now then
        gone[#gone + 1] = name
        for rf in string.gmatch(rfs, '[^,]+') do
          changed[rf] = (changed[rf] or tonumber(vals[rf] or '0')) - tonumber(amount)
        end
      elseif not nx or expiry < nx then
        nx = expiry
      end
    end
  end
  hdel(key, gone)
  local set = {}
  for rf, v in pairs(changed) do
    if vals[rf] then
      set[#set + 1] = rf
      set[#set + 1] = v
    end
  end
  if nx then
    set[#set + 1] = ':nx'
    set[#set + 1] = nx
  else
    hdel(key, {':nx'})
  end
  hset(key, set)
  return changed, nx
end
`;

/**
 * One request's admission: its rate windows, concurrency slots and budget reservation, checked
 * in that order and charged together, or not at all. ARGV:
 *   now, reservation field (`:r:<id>`), slot lease field (`:c:<id>`), lease expiry, lease ttl
 *   ms, amount,
 *   the number of subject hashes (KEYS[1..n]), then per hash: a field count and the fields of
 *   its one HMGET (`:x` and `:nx` first),
 *   the number of rate windows, then per window: hash, header position, KEYS index of its
 *   sub-buckets' ring, field, window ms, limit, cost,
 *   then twice, for slots and then budgets, the number of subjects with some, then per subject:
 *   hash, lease value, counter count, and per counter: its index among the request's slots or
 *   budgets, position of its value in the HMGET (a budget's spend; its reserved follows), field,
 *   limit, keep-until (budgets; 0 for slots).
 * Reply: {1, then (units counted, reset ms) per rate window, then per rate window the sub-bucket
 * its cost went to (-1 for none), which a roll-back in cluster mode names}, or a refusal: {0, 1,
 * window, retry ms, units counted}, {0, 2, slot counter} or {0, 3, budget, spent, reserved};
 * indexes 1-based.
 */
const ADMIT_BODY = `
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[6])
local nh = tonumber(ARGV[7])
local a = 8
local got = {}
-- Per hash: the counters a sweep of expired leases changed, and the next lease expiry.
local changed = {}
local nxs = {}
for h = 1, nh do
  local n = tonumber(ARGV[a])
  got[h] = hmget(KEYS[h], ARGV, a + 1, a + n)
  a = a + n + 1
  nxs[h] = tonumber(got[h][2] or '')
  if nxs[h] and nxs[h] <= now then changed[h], nxs[h] = sweep(KEYS[h], now) end
end
-- A counter's value: as a sweep left it, else as read.
local function value(h, pos, field)
  local c = changed[h]
  return c and c[field] or tonumber(got[h][pos] or '0')
end

local nr = tonumber(ARGV[a])
a = a + 1
local ws = {}
for i = 1, nr do
  local h = tonumber(ARGV[a])
  local w = { h = h, ring = KEYS[tonumber(ARGV[a + 2])], f = ARGV[a + 3],
              win = tonumber(ARGV[a + 4]), lim = tonumber(ARGV[a + 5]),
              cost = tonumber(ARGV[a + 6]), raw = {} }
  load(w, got[h][tonumber(ARGV[a + 1])], now)
  if w.sum + w.cost > w.lim then return {0, 1, i, retryAfter(w, now), w.sum} end
  ws[i] = w
  a = a + 7
end

-- Leases: slots (amount 1 on slot counters) and reservations (the amount on budgets).
local function leases(kind)
  local n = tonumber(ARGV[a])
  a = a + 1
  local out = {}
  for i = 1, n do
    local h = tonumber(ARGV[a])
    local l = { h = h, lease = ARGV[a + 1], counters = {} }
    local nc = tonumber(ARGV[a + 2])
    a = a + 3
    for j = 1, nc do
      local pos, f = tonumber(ARGV[a + 1]), ARGV[a + 2]
      local c = { f = f, limit = tonumber(ARGV[a + 3]), keep = tonumber(ARGV[a + 4]) }
      if kind == 'slot' then
        c.held = value(h, pos, f)
        if c.held + 1 > c.limit then return nil, {0, 2, tonumber(ARGV[a])} end
      else
        c.rf = f .. '.r'
        c.spent = tonumber(got[h][pos] or '0')
        c.held = value(h, pos + 1, c.rf)
        c.fresh = not got[h][pos]
        if c.spent + c.held + amount > c.limit then
          return nil, {0, 3, tonumber(ARGV[a]), c.spent, c.held}
        end
      end
      l.counters[j] = c
      a = a + 5
    end
    out[i] = l
  end
  return out
end
local slots, refusal = leases('slot')
if refusal then return refusal end
local budgets
budgets, refusal = leases('budget')
if refusal then return refusal end

local sets = {}
local xs = {}
for h = 1, nh do
  sets[h] = {}
  xs[h] = tonumber(got[h][1] or '0')
end
-- The hash lives at least until need (gateway time): its TTL moves only when need passes it.
local function keep(h, need)
  if need <= xs[h] then return end
  xs[h] = need
  expire(KEYS[h], 'PEXPIRE', math.max(1, need - now))
  local set = sets[h]
  set[#set + 1] = ':x'
  set[#set + 1] = need
end

local out = {1}
for i = 1, nr do
  local w = ws[i]
  local need = charge(w, now, sets[w.h])
  if need then keep(w.h, need) end
  out[#out + 1] = w.sum
  out[#out + 1] = (w.first and w.fe or now) + w.win - now
end
for i = 1, nr do
  local w = ws[i]
  out[#out + 1] = w.cost > 0 and w.last or -1
end
local expiry = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local function hold(ls, field, units)
  for i = 1, #ls do
    local l = ls[i]
    local set = sets[l.h]
    for j = 1, #l.counters do
      local c = l.counters[j]
      set[#set + 1] = c.rf or c.f
      set[#set + 1] = c.held + units
      if c.fresh then
        set[#set + 1] = c.f
        set[#set + 1] = 0
        addWindow(KEYS[l.h], c.f, c.keep, now)
        keep(l.h, c.keep)
      end
    end
    set[#set + 1] = field
    set[#set + 1] = l.lease
    -- Outlive the lease; moved once per lease TTL, not per request.
    if xs[l.h] < expiry then keep(l.h, expiry + ttl) end
    if not nxs[l.h] or nxs[l.h] > expiry then
      nxs[l.h] = expiry
      set[#set + 1] = ':nx'
      set[#set + 1] = expiry
    end
  end
end
hold(slots, ARGV[3], 1)
hold(budgets, ARGV[2], amount)
for h = 1, nh do
  hset(KEYS[h], sets[h])
end
return out
`;

/** Drops a lease (`:c:<id>` or `:r:<id>`) and gives its counters back what it held. */
const DROP_LEASE = `
local function dropLease(key, field)
  local v = redis.call('HGET', key, field)
  if not v then return end
  local amount, _, counters = string.match(v, '^(%-?%d+)|(%d+)|(.*)$')
  for f in string.gmatch(counters, '[^,]+') do
    local held = tonumber(redis.call('HGET', key, f) or '0')
    redis.call('HSET', key, f, held - tonumber(amount))
  end
  redis.call('HDEL', key, field)
end
`;

/**
 * Cluster mode: takes back what one subject's admission took when a later subject refused
 * (`redis-cluster.ts`). KEYS: the subject hash, then its windows' rings. ARGV: the reservation
 * field, the slot lease field, the number of windows, then per window: field, KEYS index of its
 * ring, the sub-bucket the admission charged, cost, window ms. The leases go as a release would
 * take them; the units leave the sub-bucket they went to, unless it has left the window already
 * (then they are no longer counted anyway). The sub-bucket keeps the time of its earliest unit,
 * which may have been this one: its other units may leave up to that sub-bucket early, within
 * the 1 % a window allows (`window.ts`). A window left with nothing is dropped.
 */
export const ROLLBACK_SCRIPT = `${DROP_LEASE}
local key = KEYS[1]
dropLease(key, ARGV[1])
dropLease(key, ARGV[2])
local N = ${WINDOW_BUCKETS}
local a = 4
for i = 1, tonumber(ARGV[3]) do
  local f, ring = ARGV[a], KEYS[tonumber(ARGV[a + 1])]
  local b, cost, win = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  a = a + 5
  local h = redis.call('HGET', key, f)
  if h then
    local sum, hwin, first, fe, fc, last, le, lc = struct.unpack('<dddddddd', h)
    local taken = false
    if hwin == win and b >= first and b <= last then
      if b == first or b == last then
        taken = true
        if b == first then fc = math.max(0, fc - cost) end
        if b == last then lc = math.max(0, lc - cost) end
      else
        local k = b % (N + 1)
        local raw = redis.call('HGET', ring, k)
        if raw then
          local e, c = struct.unpack('<dd', raw)
          if c > 0 and math.floor(e / math.max(1, math.floor(win / N))) == b then
            taken = true
            redis.call('HSET', ring, k, struct.pack('<dd', e, math.max(0, c - cost)))
          end
        end
      end
    end
    if taken then
      sum = sum - cost
      if sum <= 0 then
        redis.call('HDEL', key, f)
      else
        redis.call('HSET', key, f, struct.pack('<dddddddd', sum, hwin, first, fe, fc, last, le, lc))
      end
    end
  end
end
return {}
`;

/**
 * Releases a batch of slot leases: per subject hash (KEYS, in order) the lease field
 * (`:c:<id>`, ARGV[1 + i]) is dropped and its counters given their slot back; a lease a sweep
 * already dropped is not given back twice.
 */
const RELEASE_BODY = `
for i = 1, tonumber(ARGV[1]) do
  local key, field = KEYS[i], ARGV[i + 1]
  local v = hget(key, field)
  if v then
    local amount, _, counters = string.match(v, '^(%-?%d+)|(%d+)|(.*)$')
    for f in string.gmatch(counters, '[^,]+') do
      hset(key, {f, tonumber(hget(key, f) or '0') - tonumber(amount)})
    end
    hdel(key, {field})
  end
end
return {}
`;

/**
 * Settles a batch in one call: per subject hash of every settlement (KEYS, in order), drops the
 * reservation (if its lease has not been swept) and adds the real cost to each window's spend.
 * ARGV: the number of hashes, then per hash: reservation field, actual cost, window count, and
 * per window: field, reserved field, keep-until. Reply: (spent, reserved) per window.
 */
const SETTLE_BODY = `
local out = {}
local a = 2
for i = 1, tonumber(ARGV[1]) do
  local key = KEYS[i]
  local rfield, actual, nw = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local fields = {rfield, ':x'}
  for j = 0, nw - 1 do
    fields[#fields + 1] = ARGV[a + 3 * j]
    fields[#fields + 1] = ARGV[a + 3 * j + 1]
  end
  local g = hmget(key, fields, 1, #fields)
  local amount = g[1] and tonumber(string.match(g[1], '^(%-?%d+)'))
  local x = tonumber(g[2] or '0')
  local set = {}
  for j = 1, nw do
    local f, rf, until_ = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
    a = a + 3
    local spent = tonumber(g[1 + 2 * j] or '0') + actual
    local reserved = tonumber(g[2 + 2 * j] or '0')
    set[#set + 1] = f
    set[#set + 1] = spent
    if amount and g[2 + 2 * j] then
      reserved = reserved - amount
      set[#set + 1] = rf
      set[#set + 1] = reserved
    end
    if not g[1 + 2 * j] then
      addWindow(key, f, until_, nil)
      if until_ > x then
        x = until_
        expire(key, 'PEXPIREAT', until_)
        set[#set + 1] = ':x'
        set[#set + 1] = x
      end
    end
    out[#out + 1] = spent
    out[#out + 1] = reserved
  end
  hset(key, set)
  if amount then hdel(key, {rfield}) end
end
return out
`;

/**
 * Every call of one event-loop turn (one group: on a Redis Cluster, one subject) in one script
 * call (`redis-batch.ts`): admissions, settlements and slot releases, run one after the other in
 * the order they were made, each exactly as its own script would run it, so each gets its own
 * answer. The script is loaded once; what a call costs Redis beyond its own work (reading the
 * command, finding the script, building KEYS and ARGV, writing the reply) is paid once a turn.
 * ARGV: the number of calls, then per call: its kind (1 admission, 2 settlement, 3 release), its
 * KEYS count (taken in turn from KEYS) and ARGV count, then its ARGV. Reply: each call's reply.
 */
export const BATCH_SCRIPT = `${CACHE}${RATE_FUNCTIONS}${SWEEP}${ADD_WINDOW}
local scripts = {
  function(KEYS, ARGV) ${ADMIT_BODY} end,
  function(KEYS, ARGV) ${SETTLE_BODY} end,
  function(KEYS, ARGV) ${RELEASE_BODY} end,
}
local allKeys, allArgs = KEYS, ARGV
local out = {}
local k, a = 1, 2
for i = 1, tonumber(allArgs[1]) do
  local kind, nk, na = tonumber(allArgs[a]), tonumber(allArgs[a + 1]), tonumber(allArgs[a + 2])
  a = a + 3
  out[i] = scripts[kind]({unpack(allKeys, k, k + nk - 1)}, {unpack(allArgs, a, a + na - 1)})
  k = k + nk
  a = a + na
end
flushAll()
return out
`;

-- Claims the shard's conversation whose oldest pending message waited
-- longest, among those no live lease holds and whose newest message is older
-- than the quiet cutoff: bumps its fence, leases it, returns
-- {customer, fence, entries}; or nil.
-- KEYS: ready, leases. ARGV: base, now, cutoff, lease until, worker, limit.
-- Times go to Redis as the strings they came as (a Lua number could be
-- formatted with an exponent); they are compared as numbers.
local base, now, cutoff = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local lease_until, worker, limit = ARGV[4], ARGV[5], tonumber(ARGV[6])
-- A lease that ran out: its holder is presumed dead, its messages wait again.
for _, c in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[2], c)
  local first = redis.call('LINDEX', base .. 'in:' .. c, 0)
  if first then
    redis.call('ZADD', KEYS[1], 'NX', string.match(first, '^(%d+):'), c)
  end
end
for _, c in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, limit)) do
  local q, inbox = base .. 'q:' .. c, base .. 'in:' .. c
  local n = redis.call('LLEN', inbox)
  if n == 0 or tonumber(redis.call('HGET', q, 'lease_until') or '0') > now then
    -- Nothing waits, or a live holder makes it ready again when it commits.
    redis.call('ZREM', KEYS[1], c)
  elseif tonumber(redis.call('HGET', q, 'newest_at') or '0') <= cutoff then
    -- Fences come from the shard's counter, never below the conversation's
    -- own: they keep growing even across an erasure of its keys.
    local fence = redis.call('INCR', base .. 'fences')
    local own = tonumber(redis.call('HGET', q, 'fence') or '0')
    if fence <= own then
      fence = own + 1
      redis.call('SET', base .. 'fences', fence)
    end
    redis.call('HSET', q, 'fence', fence)
    redis.call('HSET', q, 'owner', worker, 'lease_until', lease_until)
    redis.call('ZREM', KEYS[1], c)
    redis.call('ZADD', KEYS[2], lease_until, c)
    return {c, fence, redis.call('LRANGE', inbox, 0, n - 1)}
  end
end
return false

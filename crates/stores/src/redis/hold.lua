-- Holds a conversation for a person's action: a new fence (a turn in flight
-- can no longer commit), a short lease no worker claims through, and the
-- cached conversation dropped so the next load reads PostgreSQL's, which
-- the action writes. Returns the fence.
-- KEYS: ready, leases. ARGV: base, customer, owner, lease until.
local base, c, owner, lease_until = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local q = base .. 'q:' .. c
-- From the shard's counter, as claims take theirs (see claim.lua).
local fence = redis.call('INCR', base .. 'fences')
local own = tonumber(redis.call('HGET', q, 'fence') or '0')
if fence <= own then
  fence = own + 1
  redis.call('SET', base .. 'fences', fence)
end
redis.call('HSET', q, 'fence', fence)
redis.call('HSET', q, 'owner', owner, 'lease_until', lease_until)
redis.call('DEL', base .. 'conv:' .. c)
redis.call('ZREM', KEYS[1], c)
redis.call('ZADD', KEYS[2], lease_until, c)
return fence

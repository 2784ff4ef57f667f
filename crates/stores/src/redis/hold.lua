-- Holds a conversation for a person's action: a new fence (a turn in flight
-- can no longer commit), a short lease no worker claims through, and the
-- cached conversation dropped so the next load reads PostgreSQL's, which
-- the action writes. Returns the fence.
-- KEYS: ready, leases. ARGV: base, customer, owner, lease until.
local base, c, owner, lease_until = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local q = base .. 'q:' .. c
local fence = redis.call('HINCRBY', q, 'fence', 1)
redis.call('HSET', q, 'owner', owner, 'lease_until', lease_until)
redis.call('DEL', base .. 'conv:' .. c)
redis.call('ZREM', KEYS[1], c)
redis.call('ZADD', KEYS[2], lease_until, c)
return fence

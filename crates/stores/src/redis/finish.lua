-- Ends a claim, only while its fence and owner are still the conversation's:
-- acknowledges its first `acked` messages, then, by mode, "commit" saves the
-- conversation (dropping the summary of one it replaced), "repair" drops the
-- cached conversation (PostgreSQL's copy is newer), "release" changes
-- nothing more. The lease goes; what still waits is ready again.
-- Returns 1, or 0 when the claim was lost.
-- KEYS: ready, leases, depth. ARGV: base, customer, fence, owner, acked,
-- mode, conversation, conversation ttl s, started at.
local base, c, fence, owner = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local acked, mode = tonumber(ARGV[5]), ARGV[6]
local q, inbox = base .. 'q:' .. c, base .. 'in:' .. c
if redis.call('HGET', q, 'fence') ~= fence or redis.call('HGET', q, 'owner') ~= owner then
  return 0
end
if acked > 0 then
  redis.call('LTRIM', inbox, acked, -1)
  redis.call('DECRBY', KEYS[3], acked)
end
if mode == 'commit' then
  if redis.call('HGET', q, 'started_at') ~= ARGV[9] then
    redis.call('DEL', base .. 'sum:' .. c)
  end
  redis.call('SET', base .. 'conv:' .. c, ARGV[7], 'EX', ARGV[8])
  redis.call('HSET', q, 'started_at', ARGV[9])
elseif mode == 'repair' then
  redis.call('DEL', base .. 'conv:' .. c)
end
redis.call('HDEL', q, 'owner', 'lease_until')
redis.call('ZREM', KEYS[2], c)
local first = redis.call('LINDEX', inbox, 0)
if first then
  redis.call('ZADD', KEYS[1], string.match(first, '^(%d+):'), c)
end
return 1

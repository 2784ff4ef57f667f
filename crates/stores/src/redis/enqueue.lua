-- Records one shard's new messages: ids seen within the dedup window are
-- dropped; the others join their conversation's inbox in arrival order, as
-- "<enqueued µs>:<payload>", refresh the conversation's TTL, and make the
-- conversation ready unless a live lease holds it (its holder's commit does
-- that then). Every key is the shard's: ARGV[1] carries its hash tag.
-- KEYS: ready, depth. ARGV: base, now, dedup ttl s, conversation ttl s,
-- then (customer, message id, payload) per message.
local base, now, dedup_ttl, conv_ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local accepted = {}
for i = 5, #ARGV, 3 do
  local c, id, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('SET', base .. 'seen:' .. id, '1', 'NX', 'EX', dedup_ttl) then
    local inbox, q = base .. 'in:' .. c, base .. 'q:' .. c
    redis.call('RPUSH', inbox, now .. ':' .. payload)
    redis.call('HSET', q, 'newest_at', now)
    redis.call('INCR', KEYS[2])
    redis.call('EXPIRE', base .. 'conv:' .. c, conv_ttl)
    redis.call('EXPIRE', base .. 'sum:' .. c, conv_ttl)
    if tonumber(redis.call('HGET', q, 'lease_until') or '0') <= tonumber(now) then
      local first = redis.call('LINDEX', inbox, 0)
      redis.call('ZADD', KEYS[1], 'NX', string.match(first, '^(%d+):'), c)
    end
    accepted[#accepted + 1] = 1
  else
    accepted[#accepted + 1] = 0
  end
end
return accepted

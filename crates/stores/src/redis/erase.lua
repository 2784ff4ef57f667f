-- Erases a conversation's keys: its pending messages (the dedup keys of
-- their ids too), queue state, cached conversation and summary, and its
-- place in the shard's sorted sets. The queue hash goes with its fence, so
-- a claim in flight is lost (`finish` finds no fence of its own). Returns 1
-- when there was anything to erase.
-- KEYS: ready, leases, depth. ARGV: base, customer, then message ids
-- whose dedup keys to drop.
local base, c = ARGV[1], ARGV[2]
local inbox = base .. 'in:' .. c
local found = redis.call('EXISTS', inbox, base .. 'q:' .. c, base .. 'conv:' .. c, base .. 'sum:' .. c)
for _, entry in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
  local ok, message = pcall(cjson.decode, string.match(entry, '^%d+:(.*)$') or '')
  if ok and type(message) == 'table' and type(message.id) == 'string' then
    redis.call('DEL', base .. 'seen:' .. message.id)
  end
end
local pending = redis.call('LLEN', inbox)
if pending > 0 then
  redis.call('DECRBY', KEYS[3], pending)
end
for i = 3, #ARGV do
  redis.call('DEL', base .. 'seen:' .. ARGV[i])
end
redis.call('DEL', inbox, base .. 'q:' .. c, base .. 'conv:' .. c, base .. 'sum:' .. c)
redis.call('ZREM', KEYS[1], c)
redis.call('ZREM', KEYS[2], c)
if found > 0 then
  return 1
end
return 0

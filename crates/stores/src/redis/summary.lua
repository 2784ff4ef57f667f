-- Stores a background summary unless a newer one is there.
-- KEYS: summary. ARGV: through seq, text, ttl s.
local through = tonumber(redis.call('HGET', KEYS[1], 'through') or '-1')
if tonumber(ARGV[1]) > through then
  redis.call('HSET', KEYS[1], 'through', ARGV[1], 'text', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1

-- The fresh entry under a key: {c, x, f, n, b, o}, or nil (an expired one is removed). A hit
-- makes it the most recently used. ARGV: prefix, key, now (ms).
local key, now = ARGV[2], tonumber(ARGV[3])
local f = redis.call('HMGET', entry_key(key), 'c', 'x', 'f', 'n', 'b', 'o')
if not f[1] then
  redis.call('HINCRBY', STATS, 'misses', 1)
  return false
end
if f[2] ~= '' and now >= tonumber(f[2]) then
  remove(key)
  redis.call('HINCRBY', STATS, 'misses', 1)
  return false
end
redis.call('ZADD', LRU, redis.call('INCR', p .. ':cache:tick'), key)
redis.call('HINCRBY', STATS, 'hits', 1)
return f

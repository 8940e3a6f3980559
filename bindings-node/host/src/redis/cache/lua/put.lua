-- Stores an entry, replacing the one under its key, after removing the least recently used
-- entries until it fits both bounds; an entry larger than the byte bound is not kept. Answers
-- how many were evicted. ARGV: prefix, key, output, has output ('1'/'0'), created, expires
-- ('' for never), flow, node path, bytes, max entries, max bytes.
local key, b = ARGV[2], tonumber(ARGV[9])
local max_entries, max_bytes = tonumber(ARGV[10]), tonumber(ARGV[11])
if b > max_bytes or max_entries == 0 then return 0 end
remove(key)
local evicted = 0
while redis.call('ZCARD', LRU) >= max_entries
    or tonumber(redis.call('GET', BYTES) or '0') + b > max_bytes do
  local oldest = redis.call('ZRANGE', LRU, 0, 0)[1]
  if not oldest then break end
  remove(oldest)
  evicted = evicted + 1
end
if evicted > 0 then redis.call('HINCRBY', STATS, 'evictions', evicted) end
local e = entry_key(key)
redis.call('HSET', e, 'c', ARGV[5], 'x', ARGV[6], 'f', ARGV[7], 'n', ARGV[8], 'b', ARGV[9])
if ARGV[4] == '1' then redis.call('HSET', e, 'o', ARGV[3]) end
redis.call('ZADD', LRU, redis.call('INCR', p .. ':cache:tick'), key)
redis.call('INCRBY', BYTES, ARGV[9])
return evicted

-- {entries, bytes, hits, misses, evictions}. ARGV: prefix.
local counts = redis.call('HMGET', STATS, 'hits', 'misses', 'evictions')
return {redis.call('ZCARD', LRU), tonumber(redis.call('GET', BYTES) or '0'),
  tonumber(counts[1] or '0'), tonumber(counts[2] or '0'), tonumber(counts[3] or '0')}

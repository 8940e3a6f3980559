-- Put before every script of the cache. ARGV[1] is the key prefix. An entry is the hash
-- <p>:cache:e:<key> (o: its output as codec JSON, absent for `undefined`; c: created; x: expires,
-- '' for never; f: flow; n: node path; b: bytes); <p>:cache:lru orders the entries by last use
-- (score: a tick of <p>:cache:tick), <p>:cache:bytes sums their bytes, and <p>:cache:stats counts
-- hits, misses and evictions.
local p = ARGV[1]
local LRU = p .. ':cache:lru'
local BYTES = p .. ':cache:bytes'
local STATS = p .. ':cache:stats'

local function entry_key(key) return p .. ':cache:e:' .. key end

-- Removes entry `key`; 1 when there was one, else 0.
local function remove(key)
  local e = entry_key(key)
  local b = redis.call('HGET', e, 'b')
  redis.call('ZREM', LRU, key)
  if not b then return 0 end
  redis.call('DEL', e)
  redis.call('DECRBY', BYTES, b)
  return 1
end

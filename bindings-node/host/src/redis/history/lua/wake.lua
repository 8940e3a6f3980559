-- Wakes a waiting run (see `history::wait`): when it still waits at the wait ARGV[3] names (node
-- path) parked at ARGV[4] (ms), keeps the delivery ARGV[5] as its checkpoint 'w:<node>' and makes
-- the run interrupted, to be resumed. 1 when it did, 0 when it does not wait there (never did, or
-- another process woke it first). ARGV: prefix, id, node, since, delivery entry.
local id = ARGV[2]
local run = run_key(id)
local f = redis.call('HMGET', run, 'member', 'status', 'startTime', 'error')
if f[2] ~= 'waiting' or not f[4] then return 0 end
local ok, err = pcall(cjson.decode, f[4])
if not ok or type(err) ~= 'table' or type(err.context) ~= 'table' then return 0 end
if err.context.nodeId ~= ARGV[3] or err.context.since ~= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', checkpoints_key(id), 'w:' .. ARGV[3], ARGV[5])
restatus(f[1], 'waiting', 'interrupted', f[3])
redis.call('HSET', run, 'status', 'interrupted')
redis.call('HDEL', run, 'error')
return 1

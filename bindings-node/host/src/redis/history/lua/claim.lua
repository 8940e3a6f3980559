-- Takes an interrupted run over: it is running again, as the new owner's, its end cleared. 1 when
-- it did, 0 when the run is not interrupted (another process took it first). ARGV: prefix, id,
-- owner ('' for none).
local run = run_key(ARGV[2])
local f = redis.call('HMGET', run, 'member', 'status', 'startTime')
if f[2] ~= 'interrupted' then return 0 end
restatus(f[1], 'interrupted', 'running', f[3])
-- 'claimed': from now on only the new owner writes to it (see writes.lua).
redis.call('HSET', run, 'status', 'running', 'owner', ARGV[3], 'claimed', '1')
redis.call('HDEL', run, 'endTime', 'duration', 'error')
return 1

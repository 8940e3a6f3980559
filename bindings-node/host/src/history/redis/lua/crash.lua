-- A run still running whose process is gone becomes crashed. ARGV: prefix, id, now.
local run = run_key(ARGV[2])
local f = redis.call('HMGET', run, 'member', 'status', 'startTime', 'endTime')
if f[2] ~= 'running' then return 0 end
restatus(run, f[1], 'running', 'crashed', f[3])
if not f[4] then redis.call('HSET', run, 'endTime', ARGV[3]) end
return 1

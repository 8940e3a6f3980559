-- A run ends. ARGV: prefix, id, status, endTime, error ('' when none).
local run = run_key(ARGV[2])
local f = redis.call('HMGET', run, 'member', 'status', 'startTime')
if not f[1] then return 0 end
restatus(run, f[1], f[2], ARGV[3], f[3])
-- '%.17g' keeps the difference exact: Lua's own conversion keeps 14 digits.
local duration = string.format('%.17g', tonumber(ARGV[4]) - tonumber(f[3]))
redis.call('HSET', run, 'endTime', ARGV[4], 'duration', duration)
if ARGV[5] == '' then redis.call('HDEL', run, 'error') else redis.call('HSET', run, 'error', ARGV[5]) end
return 1

-- Runs still running whose process is gone become crashed; how many did. ARGV: prefix, now, then
-- the ids.
local crashed = 0
for i = 3, #ARGV do
  local run = run_key(ARGV[i])
  local f = redis.call('HMGET', run, 'member', 'status', 'startTime', 'endTime')
  if f[2] == 'running' then
    restatus(f[1], 'running', 'crashed', f[3])
    redis.call('HSET', run, 'status', 'crashed', 'endTime', f[4] or ARGV[2])
    crashed = crashed + 1
  end
end
return crashed

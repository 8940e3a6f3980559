-- Pauses ('1') or resumes ('0') an active trigger; 1 when it is active. ARGV: prefix, id, flag.
local t = trigger_key(ARGV[2])
if redis.call('EXISTS', t) == 0 then return 0 end
redis.call('HSET', t, 'z', ARGV[3])
return 1

-- Moves a trigger's cursor only from where the caller saw it; 1 when moved. ARGV: prefix, id,
-- from, to (whole numbers as text, compared as text: no rounding).
local t = trigger_key(ARGV[2])
if redis.call('HGET', t, 'h') ~= ARGV[3] then return 0 end
redis.call('HSET', t, 'h', ARGV[4])
return 1

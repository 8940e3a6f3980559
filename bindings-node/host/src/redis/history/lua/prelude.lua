-- Put before every script. ARGV[1] is the key prefix. A run's member in the sorted sets is
-- '<sequence number, 16 hex digits>:<id>' with its start time as the score, so runs begun in the
-- same millisecond keep the order they began in.
local p = ARGV[1]
local SUMMARY = {'flowId', 'flowHash', 'status', 'startTime', 'endTime', 'duration', 'error', 'retryOf', 'owner', 'durable'}
-- A run's 'flow' while its definition is on its way (see writes.lua's define); reads as null.
local PENDING = 'pending'

local function run_key(id) return p .. ':run:' .. id end
local function nodes_key(id) return p .. ':nodes:' .. id end
-- A durable run's checkpoints: a hash of 'input', 'variables', 'd:<node>' (an ended node's whole
-- output) and 's:<node>' (a node with effects that started and has not ended).
local function checkpoints_key(id) return p .. ':ckpt:' .. id end
local function id_of(member) return string.sub(member, 18) end

-- The server's clock, in milliseconds.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Owner `owner` is alive now: `<p>:alive` scores each owner by when it was last heard from
-- (by the server's clock, so machines' clocks need not agree).
local function beat(owner)
  redis.call('ZADD', p .. ':alive', now_ms(), owner)
end

-- {id, then SUMMARY's fields}; the second is false when there is no such run.
local function summary(id)
  local row = redis.call('HMGET', run_key(id), unpack(SUMMARY))
  table.insert(row, 1, id)
  return row
end

-- Moves `member` (start time `score`) from the sorted set of status `from` to that of `to`; the
-- caller sets the run's 'status' field.
local function restatus(member, from, to, score)
  redis.call('ZREM', p .. ':status:' .. from, member)
  redis.call('ZADD', p .. ':status:' .. to, score, member)
end

-- Ends running run `id` as `status` at `end_time` with `err` ('' for none); a run ending
-- otherwise than interrupted or waiting lets its checkpoints go.
local function finish(id, f, status, end_time, err, from)
  local run = run_key(id)
  restatus(f[1], from or 'running', status, f[3])
  -- '%.17g' keeps the difference exact: Lua's own conversion keeps 14 digits.
  local duration = string.format('%.17g', tonumber(end_time) - tonumber(f[3]))
  if err == '' then
    redis.call('HSET', run, 'status', status, 'endTime', end_time, 'duration', duration)
    redis.call('HDEL', run, 'error')
  else
    redis.call('HSET', run, 'status', status, 'endTime', end_time, 'duration', duration, 'error', err)
  end
  if status ~= 'interrupted' and status ~= 'waiting' then redis.call('DEL', checkpoints_key(id)) end
end

-- Removes run `id`, its nodes, and its definition when no other run shares it, unless it is
-- running and `running_too` is false; 1 when it went, else 0.
local function remove(id, running_too)
  local run = run_key(id)
  local f = redis.call('HMGET', run, 'member', 'status', 'flowId', 'flowHash', 'flow')
  if not f[1] or (not running_too and f[2] == 'running') then return 0 end
  redis.call('ZREM', p .. ':runs', f[1])
  redis.call('ZREM', p .. ':status:' .. f[2], f[1])
  redis.call('ZREM', p .. ':flow:' .. f[3], f[1])
  redis.call('DEL', run, nodes_key(id), checkpoints_key(id))
  if f[5] == '' then
    local def = p .. ':def:' .. f[4]
    if redis.call('HINCRBY', def, 'refs', -1) <= 0 then redis.call('DEL', def) end
  end
  return 1
end

-- A batch of writes, applied in order, in one call. ARGV: prefix, the writer's owner, the
-- writer (its store's own name: a process may open several; `<p>:writer:<name>` keeps the last
-- batch number it applied), the batch's number, then each write as a tag and its fields:
--   'begin', id, flowId, flowHash, status, startTime, endTime, duration, error, retryOf, owner
--     ('' when absent), durable ('1' or ''), input, variables, then the definition as `define`
--     takes it: how, given
--   'node', id, record (JSON)
--   'ckpt', id, field, value: one of a durable run's checkpoints (see checkpoints_key)
--   'ended', id, status, endTime, error ('' when none)
--   'attach', id, flowHash, text: the definition a 'begin' was answered 'missing' for
-- Writes about a run another owner took over (claim.lua: this writer lost it) are dropped: a
-- worker that lost its lock never writes over the worker that resumes its run.
-- Answers one entry per 'begin' and 'attach', in order: `define`'s answer, {'amended'} (begun
-- already), {'gone'} (attached to a run no longer waiting for it) or {'failed'}. A write that
-- fails is dropped and the others stand, as if each were a script of its own.

local writer = ARGV[2]

-- A batch this writer sent before (its answer was lost on a connection that broke, and it was
-- sent again) is not applied twice; number 0 is not numbered. Each call also says the owner is
-- alive (see liveness.rs).
local number = tonumber(ARGV[4])
if number > 0 then
  local key = p .. ':writer:' .. ARGV[3]
  local last = tonumber(redis.call('GET', key) or '0')
  if number <= last then return {} end
  -- Forgotten a day after the writer's last batch: none comes again after so long.
  redis.call('SET', key, ARGV[4], 'EX', 86400)
end
beat(writer)

-- Whether run `id` exists and was not taken over by another owner, asked once per batch:
-- nothing else runs while the script does.
local exists = {}
local function begun(id)
  if exists[id] == nil then
    local f = redis.call('HMGET', run_key(id), 'member', 'owner', 'claimed')
    exists[id] = f[1] ~= false and (not f[3] or f[2] == writer)
  end
  return exists[id]
end

-- Node records to append, by run, and the runs in the order first seen: each run's records go
-- in one RPUSH at the end (a batch holds at most a few hundred writes, well within unpack's
-- limit).
local appended, appending = {}, {}

-- A run's definition: the run's 'flow' field and the answer. Definitions are kept once per
-- distinct text, under their hash ('<prefix>:def:<hash>': text, digest, refs), for the runs
-- whose 'flow' is ''. A text that differs from the one stored under its hash (a crafted
-- collision) is kept in the run's own 'flow'. `how` is 'text' (`given` is the text) or 'known'
-- (`given` is the digest of the text this process saw stored: when it is no longer there,
-- 'missing' asks for the text, and the run's flow stays PENDING until it comes).
local function define(hash, how, given)
  local def = p .. ':def:' .. hash
  local digest
  if how == 'known' then
    digest = redis.call('HGET', def, 'digest')
    if digest ~= given then return PENDING, {'missing'} end
  else
    local stored = redis.call('HMGET', def, 'text', 'digest')
    if not stored[1] then
      digest = redis.sha1hex(given)
      redis.call('HSET', def, 'text', given, 'digest', digest)
    elseif stored[1] == given then
      digest = stored[2]
    else
      return given, {'own'}
    end
  end
  redis.call('HINCRBY', def, 'refs', 1)
  return '', {'shared', digest}
end

-- A run begins, or (begun already) has its input and variables amended.
local function begin(id, flow_id, hash, status, start, end_time, duration, err, retry_of, owner, durable, input, variables, how, given)
  local run = run_key(id)
  if redis.call('EXISTS', run) == 1 then
    if begun(id) then redis.call('HSET', run, 'input', input, 'variables', variables) end
    return {'amended'}
  end
  -- Unknown until it is all written: a failure part way leaves the next write to look again.
  exists[id] = nil
  local member = string.format('%016x:', redis.call('INCR', p .. ':seq')) .. id
  local flow, answer = define(hash, how, given)
  local fields = {'member', member, 'flowId', flow_id, 'flowHash', hash, 'status', status,
    'startTime', start, 'flow', flow, 'input', input, 'variables', variables}
  local optional = {endTime = end_time, duration = duration, error = err, retryOf = retry_of, owner = owner, durable = durable}
  for field, value in pairs(optional) do
    if value ~= '' then
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
  end
  redis.call('HSET', run, unpack(fields))
  redis.call('ZADD', p .. ':runs', start, member)
  redis.call('ZADD', p .. ':status:' .. status, start, member)
  redis.call('ZADD', p .. ':flow:' .. flow_id, start, member)
  exists[id] = true
  return answer
end

-- A node's record, kept in the order written; dropped for a run never begun.
local function node(id, record)
  if not begun(id) then return end
  local records = appended[id]
  if not records then
    records = {}
    appended[id] = records
    appending[#appending + 1] = id
  end
  records[#records + 1] = record
end

-- A run ends; only a running one (a run marked crashed or interrupted by the process that saw
-- its worker lost stays so: that worker may still end it later), or one taken for lost while
-- its process could not reach the server (`interrupted`, not taken over): that process ends it.
local function ended(id, status, end_time, err)
  if not begun(id) then return end
  local f = redis.call('HMGET', run_key(id), 'member', 'status', 'startTime', 'owner', 'claimed')
  local returned = f[2] == 'interrupted' and f[4] == writer and not f[5]
  if f[2] ~= 'running' and not returned then return end
  finish(id, f, status, end_time, err, f[2])
end

-- One checkpoint; an ended node's replaces its start.
local function checkpoint(id, field, value)
  if not begun(id) then return end
  local key = checkpoints_key(id)
  redis.call('HSET', key, field, value)
  if string.sub(field, 1, 2) == 'd:' then redis.call('HDEL', key, 's:' .. string.sub(field, 3)) end
end

-- The definition `begin` answered 'missing' for.
local function attach(id, hash, text)
  local run = run_key(id)
  if redis.call('HGET', run, 'flow') ~= PENDING then return {'gone'} end
  local flow, answer = define(hash, 'text', text)
  redis.call('HSET', run, 'flow', flow)
  return answer
end

-- Each write: its function, how many fields follow its tag, and whether it is answered.
local WRITES = {begin = {begin, 15, true}, node = {node, 2, false}, ckpt = {checkpoint, 3, false},
  ended = {ended, 4, false}, attach = {attach, 3, true}}
local answers = {}
local i = 5
while i <= #ARGV do
  local write = WRITES[ARGV[i]]
  local ok, answer = pcall(write[1], unpack(ARGV, i + 1, i + write[2]))
  if write[3] then answers[#answers + 1] = ok and answer or {'failed'} end
  i = i + 1 + write[2]
end
for _, id in ipairs(appending) do
  pcall(redis.call, 'RPUSH', nodes_key(id), unpack(appended[id]))
end
return answers

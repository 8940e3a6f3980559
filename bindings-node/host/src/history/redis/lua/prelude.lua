-- Put before every script. ARGV[1] is the key prefix. A run's member in the sorted sets is
-- '<sequence number, 16 hex digits>:<id>' with its start time as the score, so runs begun in the
-- same millisecond keep the order they began in.
local p = ARGV[1]
local SUMMARY = {'flowId', 'flowHash', 'status', 'startTime', 'endTime', 'duration', 'error', 'retryOf', 'owner'}
-- A run's 'flow' while its definition is on its way (see define); reads as null.
local PENDING = 'pending'

local function run_key(id) return p .. ':run:' .. id end
local function id_of(member) return string.sub(member, 18) end

-- {id, then SUMMARY's fields}; the second is false when there is no such run.
local function summary(id)
  local row = redis.call('HMGET', run_key(id), unpack(SUMMARY))
  table.insert(row, 1, id)
  return row
end

local function restatus(run, member, from, to, score)
  redis.call('ZREM', p .. ':status:' .. from, member)
  redis.call('ZADD', p .. ':status:' .. to, score, member)
  redis.call('HSET', run, 'status', to)
end

-- Points `run` at its definition. Definitions are kept once per distinct text, under their hash
-- ('<prefix>:def:<hash>': text, digest, refs), for the runs whose 'flow' is ''. A text that differs
-- from the one stored under its hash (a crafted collision) is kept in the run's own 'flow'.
-- `how` is 'text' (`given` is the text) or 'known' (`given` is the digest of the text this
-- process saw stored: when it is no longer there, 'missing' asks for the text).
local function define(run, hash, how, given)
  local def = p .. ':def:' .. hash
  local digest
  if how == 'known' then
    digest = redis.call('HGET', def, 'digest')
    if digest ~= given then return {'missing'} end
  else
    local stored = redis.call('HMGET', def, 'text', 'digest')
    if not stored[1] then
      digest = redis.sha1hex(given)
      redis.call('HSET', def, 'text', given, 'digest', digest)
    elseif stored[1] == given then
      digest = stored[2]
    else
      redis.call('HSET', run, 'flow', given)
      return {'own'}
    end
  end
  redis.call('HINCRBY', def, 'refs', 1)
  redis.call('HSET', run, 'flow', '')
  return {'shared', digest}
end

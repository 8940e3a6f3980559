-- Put before every script of the triggers. ARGV[1] is the key prefix <p>. A trigger is the hash
-- <p>:trigger:<id> (k: kind, par: parameters, a: activated at, h: handled through, z: paused,
-- '1' or '0'), its <id> (JSON text of [flow, node], made by the caller) a member of the set
-- <p>:triggers. A fire is the hash <p>:fire:<id>:<at> (s: status, o: owner, l: lease until,
-- r: run id, f: fired at, k: a skipped range's JSON text), its <at> a member of the sorted set
-- <p>:fires:<id> (score: the fire time); <p>:claims holds '<at> <id>' for every claim not yet
-- started (score: its lease's end), for finding those a dead process left; <p>:started holds
-- '<at> <id>' for every fire recorded started whose run nobody has yet seen in the history
-- (score: when it fired).
local p = ARGV[1]
local TRIGGERS = p .. ':triggers'
local CLAIMS = p .. ':claims'
local STARTED = p .. ':started'

local function trigger_key(id) return p .. ':trigger:' .. id end
local function fire_key(id, at) return p .. ':fire:' .. id .. ':' .. at end
local function fires_key(id) return p .. ':fires:' .. id end
local FIRE_FIELDS = {'s', 'o', 'l', 'r', 'f', 'k'}

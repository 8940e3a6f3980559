//! The Lua scripts every change and read of the history runs as (see [`crate::redis::link`]).
//! Each starts with `lua/prelude.lua`.

macro_rules! history_script {
    ($file:literal) => {
        concat!(include_str!("lua/prelude.lua"), include_str!(concat!("lua/", $file, ".lua")))
    };
}

crate::redis::link::scripts! {
    WRITES: history_script!("writes"),
    CRASH: history_script!("crash"),
    DELETE: history_script!("delete"),
    PRUNE: history_script!("prune"),
    GET: history_script!("get"),
    LIST: history_script!("list"),
    RUNNING: history_script!("running"),
    CLAIM: history_script!("claim"),
    WAKE: history_script!("wake"),
    CHECKPOINTS: history_script!("checkpoints"),
    LOST: history_script!("lost"),
    BEAT: history_script!("beat"),
}

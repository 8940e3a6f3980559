//! The Lua scripts every change and read runs as: one script is one atomic step on the server,
//! whatever other processes do meanwhile. Each starts with `lua/prelude.lua`.

macro_rules! script {
    ($name:literal) => {
        concat!(include_str!("lua/prelude.lua"), include_str!(concat!("lua/", $name, ".lua")))
    };
}

pub(super) const BEGIN: &str = script!("begin");
pub(super) const ATTACH: &str = script!("attach");
pub(super) const NODE: &str = script!("node");
pub(super) const ENDED: &str = script!("ended");
pub(super) const CRASH: &str = script!("crash");
pub(super) const DELETE: &str = script!("delete");
pub(super) const GET: &str = script!("get");
pub(super) const LIST: &str = script!("list");
pub(super) const LISTED: &str = script!("listed");
pub(super) const RUNNING: &str = script!("running");

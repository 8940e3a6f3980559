//! The Lua scripts every change and read runs as: one script is one atomic step on the server,
//! whatever other processes do meanwhile. Each starts with `lua/prelude.lua`. They are loaded
//! once (`SCRIPT LOAD`) and called by their SHA1 (`EVALSHA`), so a call sends only its arguments.

/// A script, and its place in the SHA1s a [`super::link::Link`] keeps.
pub(super) struct Script {
    pub(super) slot: usize,
    pub(super) text: &'static str,
}

macro_rules! scripts {
    ($($name:ident: $file:literal),* $(,)?) => {
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        enum Slot { $($name),* }
        $(pub(super) const $name: Script = Script {
            slot: Slot::$name as usize,
            text: concat!(include_str!("lua/prelude.lua"), include_str!(concat!("lua/", $file, ".lua"))),
        };)*
        /// Every script, by slot.
        pub(super) const ALL: &[Script] = &[$($name),*];
    };
}

scripts! {
    WRITES: "writes",
    CRASH: "crash",
    DELETE: "delete",
    PRUNE: "prune",
    GET: "get",
    LIST: "list",
    RUNNING: "running",
}

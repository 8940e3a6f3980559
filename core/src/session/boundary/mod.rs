//! The JS boundary of a session, written once: the methods of its JS class ([`methods`]), how a
//! binding gets them ([`forwarders`]), and the module-level functions both bindings export
//! ([`catalog`]), and the sub-commands some methods take by name ([`calls`]).

pub(crate) mod calls;
mod catalog;
mod forwarders;
mod methods;

//! The JS boundary of a session, written once: the methods of its JS class ([`methods`]), how a
//! binding gets them ([`forwarders`]), and the module-level functions both bindings export
//! ([`catalog`]).

mod catalog;
mod forwarders;
mod methods;

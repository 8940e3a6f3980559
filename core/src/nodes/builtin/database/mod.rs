//! `database`: a query, or rows inserted or upserted, in a PostgreSQL, MySQL/MariaDB or SQLite
//! database that a credential names. The SQL is the flow's own text with placeholders; the
//! values are bound, never spliced (expressions compute values, never SQL: validation refuses a
//! query, table or column a template or an edge would write).
//!
//! Known in every build, so that a build without a database client (the WebAssembly engine, a
//! browser) refuses the node at validation, saying where it runs; run by the executor the
//! capability crate `atomiton-database` provides to the native addon (see
//! `crate::nodes::NodeExecutor`).

pub(super) mod schema;

use crate::host::Capabilities;

builtin_node_type! {
    /// The `database` node type.
    Database: "database",
    requires: |_| Capabilities { databases: true, ..Capabilities::NONE },
    check: schema::issues,
    execute: |invocation, host| {
        super::unavailable::not_in_this_build(&invocation, host, "a database client")
    },
}

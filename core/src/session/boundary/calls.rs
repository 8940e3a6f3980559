//! The sub-commands of the session methods that take one by name (`executions`, `cache`),
//! declared once: the session parses them and the TypeScript unions are generated from them.

crate::named_calls! {
    /// An `executions.*` call: the run history's reads and housekeeping.
    ExecutionsCall {
        /// `{executions, total}` for options JSON (`limit`, `offset`, filters).
        List = "list",
        /// One run's record, or `null` (the argument is its execution id).
        Get = "get",
        /// Removes one run's record (the argument is its execution id).
        Delete = "delete",
        /// Removes records by age or count (options JSON `{olderThan?, keep?}`).
        Prune = "prune",
        /// Waits until every record written so far is stored.
        Flush = "flush",
    }
}

crate::named_calls! {
    /// A `cache.*` call: the node result cache's housekeeping.
    CacheCall {
        /// Removes every entry.
        Clear = "clear",
        /// Removes the entries of a flow or a node (JSON `{flowId?, nodeId?}`).
        Invalidate = "invalidate",
        /// `{entries, bytes, hits, misses, evictions, enabled}`.
        Stats = "stats",
    }
}

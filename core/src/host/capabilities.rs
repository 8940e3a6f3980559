//! What an environment can do for node types that reach outside the data.

/// Effects a host provides. Validation refuses (with `IMPLEMENTATION_NOT_FOUND`) a flow whose
/// nodes need something the host lacks, before anything runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub http: bool,
    pub file_system: bool,
    pub processes: bool,
    pub images: bool,
    /// A Python interpreter for `python` nodes.
    pub python: bool,
    /// Database clients for `database` nodes (the native addon's).
    pub databases: bool,
}

impl Capabilities {
    /// Everything (the native host).
    pub const ALL: Capabilities = Capabilities {
        http: true,
        file_system: true,
        processes: true,
        images: true,
        python: true,
        databases: true,
    };
    /// Nothing beyond pure computation.
    pub const NONE: Capabilities = Capabilities {
        http: false,
        file_system: false,
        processes: false,
        images: false,
        python: false,
        databases: false,
    };

    /// The first capability in `needed` this set lacks, by name.
    pub fn missing(&self, needed: &Capabilities) -> Option<&'static str> {
        // First: a `python` node also needs processes, and the interpreter is what to name.
        if needed.python && !self.python {
            return Some("a Python interpreter (Python nodes run in Node.js, with python3 on the PATH or the conductor's python.interpreter)");
        }
        if needed.http && !self.http {
            Some("network access (HTTP)")
        } else if needed.file_system && !self.file_system {
            Some("a file system")
        } else if needed.processes && !self.processes {
            Some("process spawning")
        } else if needed.images && !self.images {
            Some("native image processing")
        } else if needed.databases && !self.databases {
            Some("a database client (run the flow on a native conductor, e.g. a remote one)")
        } else {
            None
        }
    }
}

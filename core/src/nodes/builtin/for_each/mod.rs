//! `for-each`: runs its child nodes (its body, a sub-graph like a group's) once per item of a
//! list, with a concurrency and a batch size, and gives their results in the items' order. The
//! scheduler runs it (`scheduler/for_each/`): each item is a run of the body of its own, whose
//! nodes a durable run checkpoints as it does any node's (`<id>[<item>]/<child>`).

mod schema;

pub(crate) use schema::{items_of, Batching};

/// The `for-each` node type's name.
pub(crate) const FOR_EACH_TYPE: &str = "for-each";

/// How a for-each takes part in a stream of rows: at its end, when it runs over its input (not
/// an `items` of its own). The scheduler opens it (its body's runs are the scheduler's), so the
/// `open` here is never the one used.
#[cfg(feature = "streams")]
pub(crate) fn streamed(parameters: &crate::value::Map) -> Option<crate::nodes::stream::Streaming> {
    use crate::nodes::stream::{Reads, Streaming};
    if parameters.get("items").is_some_and(|items| !items.is_null()) {
        return None;
    }
    Some(Streaming::Sink {
        port: "items",
        reads: Reads::ArrayIn,
        open: |_, _| {
            Err(crate::error::ExecutionError::internal("A for-each's stream is opened by its run"))
        },
    })
}

builtin_node_type! {
    /// The `for-each` node type. What its body does is its body's nodes' to say.
    ForEach: "for-each",
    effects: |_| false,
    // The scheduler runs a for-each itself; a type called on its own has no body.
    execute: |_, _| {
        Box::pin(async {
            Err(crate::error::ExecutionError::validation(
                "A for-each runs its child nodes per item: it needs children (nodes)",
            ))
        })
    },
}

//! The flow model, in the TypeScript engine's shapes: node definitions, edges, ports and metadata.

mod definition;
mod definition_serde;
mod edge;
mod format;
mod object;
mod port;

pub use definition::NodeDefinition;
pub use edge::NodeEdge;
pub use format::FlowFormat;
pub(crate) use object::small_map_get;
pub use port::{NodeMetadata, NodePort};

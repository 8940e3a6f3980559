//! Validation against a run's permissions: every node whose type needs a capability the run was
//! not granted, or that names a credential the run was not granted, is refused before anything
//! runs, with `PERMISSION_DENIED` naming the node and the capability or credential. Paths and hosts are checked later, at each effect, because inputs and expressions
//! decide them.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::value::Map;

use super::ValidationIssue;
use crate::error::ErrorCode;
use crate::host::RunPermissions;
use crate::model::NodeDefinition;
use crate::nodes::NodeRegistry;

/// One issue per node needing a capability `permissions` deny, in depth-first order. Custom
/// types (the embedder's own executors) and unknown types (validation reports those) are not
/// checked here.
pub fn permission_issues(
    flow: &NodeDefinition,
    registry: &NodeRegistry,
    custom_types: &HashSet<String>,
    permissions: &RunPermissions,
) -> Vec<ValidationIssue> {
    let root_label = flow
        .id
        .as_deref()
        .filter(|id| !id.is_empty())
        .map_or(Cow::Borrowed("[root]"), Cow::Borrowed);
    // (node, parent frame, label); the path is only built for nodes that are reported, so deep
    // flows cost no more than a walk.
    let mut frames: Vec<(&NodeDefinition, Option<usize>, Cow<'_, str>)> =
        vec![(flow, None, root_label)];
    let mut stack = vec![0usize];
    let mut issues = Vec::new();
    let empty = Map::new();
    while let Some(frame) = stack.pop() {
        let node = frames[frame].0;
        if node.is_group() {
            let first = frames.len();
            for (i, child) in node.children().iter().enumerate() {
                let label = child
                    .id
                    .as_deref()
                    .filter(|id| !id.is_empty())
                    .map_or_else(|| Cow::Owned(format!("[{i}]")), Cow::Borrowed);
                frames.push((child, Some(frame), label));
            }
            stack.extend((first..frames.len()).rev());
            continue;
        }
        let node_type = node.type_str();
        let Some(definition) = crate::nodes::route(node_type, registry, custom_types)
            .and_then(crate::nodes::Runtime::registered)
        else {
            continue;
        };
        let parameters = node.parameters.as_ref().unwrap_or(&empty);
        let refused = match permissions.denied(&definition.requirements(parameters)) {
            Some(capability) => (format!("needs the '{capability}' capability"), "type"),
            None => match credential_of(parameters) {
                Some(name) if !permissions.credentials.allows(name) => {
                    (format!("uses the credential '{name}'"), "credential")
                }
                _ => continue,
            },
        };
        let mut path = Vec::new();
        let mut cursor = Some(frame);
        while let Some(f) = cursor {
            path.push(frames[f].2.to_string());
            cursor = frames[f].1;
        }
        path.reverse();
        issues.push(ValidationIssue {
            code: ErrorCode::PERMISSION_DENIED,
            message: format!(
                "Permission denied: node '{}' ({node_type}) {}, which this caller was not granted",
                frames[frame].2, refused.0
            ),
            node_id: node.id.clone().filter(|id| !id.is_empty()),
            path,
            field: Some(refused.1.into()),
        });
    }
    issues
}

/// The credential a node names (its `credential` parameter), if it names one as text.
fn credential_of(parameters: &Map) -> Option<&str> {
    parameters.get("credential")?.as_str()
}

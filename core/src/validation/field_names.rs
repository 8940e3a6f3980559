//! The keys of a node definition and of an edge that the engine does not know.
//!
//! A flow keeps every key it is given (editors store positions, labels and their own state on
//! nodes and edges), so an unknown key is not refused for being unknown. But a key that is
//! plainly a known one misspelt (`paramaters`, a group's `egdes`), said with another word
//! (`params`, `children`), or an engine parameter written on the node instead of in its
//! `parameters` (`{id, type, idempotent: true}`) would leave the node running on defaults while
//! the user believes otherwise: each of those is a validation error naming what was meant. Any
//! other unknown key of a node is listed as a warning.

use crate::model::NodeDefinition;
use crate::model::NodeEdge;
use crate::options::suggest::one_edit_from;

/// The keys of a node definition the engine knows.
const NODE_FIELDS: &[&str] = &[
    "id",
    "type",
    "version",
    "parentId",
    "name",
    "position",
    "metadata",
    "parameters",
    "fields",
    "inputPorts",
    "outputPorts",
    "nodes",
    "edges",
    // Display keys editors write on a node (the engine's `label` and `description` parameters
    // say the same): kept without a word.
    "label",
    "description",
];

/// Other words users write for a node's known keys (lower-cased).
const NODE_SYNONYMS: &[(&str, &str)] = &[
    ("params", "parameters"),
    ("config", "parameters"),
    ("settings", "parameters"),
    ("options", "parameters"),
    ("children", "nodes"),
    ("steps", "nodes"),
    ("connections", "edges"),
    ("links", "edges"),
];

/// The engine parameters that change what a node does: written on the node itself they would
/// do nothing (`label` and `description` are display only, and known on the node as well).
const BEHAVIOUR_PARAMS: &[&str] =
    &["enabled", "timeout", "retries", "retryDelay", "cache", "idempotent", "onError"];

/// The keys of an edge the engine reads, and the other keys editors are known to keep there.
const EDGE_READ: &[&str] = &["source", "target", "sourceHandle", "targetHandle"];
const EDGE_KNOWN: &[&str] = &[
    "id",
    "type",
    "source",
    "target",
    "sourceHandle",
    "targetHandle",
    "animated",
    "hidden",
    "deletable",
    "selectable",
    "selected",
    "zIndex",
    "ariaLabel",
    "data",
    "style",
    "label",
    "className",
    "markerStart",
    "markerEnd",
];

/// One unknown key and what to say of it.
#[derive(Debug, PartialEq)]
pub(super) struct UnknownKey {
    pub key: String,
    pub message: String,
    /// A mistake (the key means something it does not do) rather than a key kept as it is.
    pub mistake: bool,
}

/// What to say of each key of `node` the engine does not know, in the node's key order.
pub(super) fn unknown_node_keys(node: &NodeDefinition) -> Vec<UnknownKey> {
    node.extra
        .keys()
        .filter(|key| !NODE_FIELDS.contains(&key.as_ref()))
        .map(|key| {
            let key: &str = key;
            if BEHAVIOUR_PARAMS.contains(&key) {
                return UnknownKey {
                    key: key.to_owned(),
                    message: format!(
                        "'{key}' is a node parameter: write it in the node's parameters ({{\"parameters\": {{\"{key}\": ...}}}}); on the node itself it does nothing"
                    ),
                    mistake: true,
                };
            }
            match meant(key, NODE_FIELDS, NODE_SYNONYMS) {
                Some(meant) => UnknownKey {
                    key: key.to_owned(),
                    message: format!("unknown node field '{key}' (did you mean '{meant}'?)"),
                    mistake: true,
                },
                None => UnknownKey {
                    key: key.to_owned(),
                    message: format!(
                        "unknown node field '{key}': kept as it is, the engine does not read it"
                    ),
                    mistake: false,
                },
            }
        })
        .collect()
}

/// The keys of `edge` that are a key the engine reads, misspelt (`souce`, `targetHandel`): an
/// edge keeps any other key without a word (editors keep their own state there).
pub(super) fn misspelt_edge_keys(edge: &NodeEdge) -> Vec<UnknownKey> {
    edge.as_map()
        .keys()
        .filter(|key| !EDGE_KNOWN.contains(&key.as_ref()))
        .filter_map(|key| {
            let meant = meant(key, EDGE_READ, &[])?;
            Some(UnknownKey {
                key: key.to_string(),
                message: format!("unknown edge field '{key}' (did you mean '{meant}'?)"),
                mistake: true,
            })
        })
        .collect()
}

/// The known key `key` stands for: the same in another case, one edit away, or a synonym.
fn meant(
    key: &str,
    known: &[&'static str],
    synonyms: &[(&str, &'static str)],
) -> Option<&'static str> {
    let lower = key.to_lowercase();
    synonyms
        .iter()
        .find(|(word, _)| *word == lower)
        .map(|(_, meant)| *meant)
        .or_else(|| one_edit_from(key, known.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(value: serde_json::Value) -> NodeDefinition {
        serde_json::from_value(value).expect("a node")
    }

    fn said(node_value: serde_json::Value) -> Vec<(String, bool)> {
        unknown_node_keys(&node(node_value)).into_iter().map(|k| (k.message, k.mistake)).collect()
    }

    #[test]
    fn misspelt_and_other_words_for_known_keys_are_mistakes() {
        for (key, meant) in [
            ("paramaters", "parameters"),
            ("Parameters", "parameters"),
            ("params", "parameters"),
            ("egdes", "edges"),
            ("children", "nodes"),
            ("nodez", "nodes"),
            ("tpye", "type"),
        ] {
            let mut value = json!({"id": "n", "type": "transform"});
            value[key] = json!({});
            assert_eq!(
                said(value),
                vec![(format!("unknown node field '{key}' (did you mean '{meant}'?)"), true)],
                "{key}"
            );
        }
    }

    #[test]
    fn an_engine_parameter_on_the_node_is_a_mistake_and_a_display_one_is_kept() {
        let found =
            said(json!({"id": "n", "type": "t", "idempotent": true, "label": "x", "icon": "y"}));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].0.starts_with("'idempotent' is a node parameter"), "{}", found[0].0);
        assert!(found[0].1);
        assert_eq!(
            found[1],
            ("unknown node field 'icon': kept as it is, the engine does not read it".into(), false)
        );
    }

    #[test]
    fn editor_keys_are_kept_with_a_warning_and_known_keys_say_nothing() {
        let found = said(json!({
            "id": "n", "type": "t", "name": "N", "position": {"x": 1, "y": 2},
            "positionAbsolute": {"x": 1, "y": 2}, "selected": true, "data": {}
        }));
        assert_eq!(found.iter().filter(|(_, mistake)| *mistake).count(), 0, "{found:?}");
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn an_edge_key_the_engine_reads_misspelt_is_a_mistake_and_editor_keys_are_kept() {
        let edge: NodeEdge = serde_json::from_value(json!({
            "id": "e", "source": "a", "traget": "b", "targetHandel": "data", "animated": true,
            "interactionWidth": 10
        }))
        .expect("an edge");
        let messages: Vec<String> =
            misspelt_edge_keys(&edge).into_iter().map(|k| k.message).collect();
        assert_eq!(
            messages,
            [
                "unknown edge field 'traget' (did you mean 'target'?)",
                "unknown edge field 'targetHandel' (did you mean 'targetHandle'?)"
            ]
        );
    }
}

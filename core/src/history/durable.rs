//! Durable runs: what a run writes as it goes so that it can go on after its process ended
//! (checkpoints), and what resuming it reads back and decides.
//!
//! A durable run writes, in order, into its history store: its whole input and variables when it
//! begins; each node's whole output when the node ends (the record's copy may be cut or redacted,
//! a checkpoint never is); and, before a node with effects starts, a mark saying it started —
//! written and stored before the node is called. Writes are applied in the order they were made,
//! so a stored checkpoint implies every earlier one is stored too: a pure node needs no wait, and
//! the only waits a run pays are before its effects.
//!
//! Each checkpoint carries a checksum of its text: a checkpoint cut short (a torn row or file) is
//! read as absent, and its node runs again.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::retry::Reuse;
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::value::Value;

/// `ConductorConfig.durability: {resume?, sync?}`: every recorded run is checkpointed, and a run its
/// process left unfinished is resumed as `resume` says.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DurabilityConfig {
    pub resume: ResumePolicy,
    /// `true`: the checkpoints before a node with effects (its start mark and what came before)
    /// reach the disk before the node starts, so an OS crash or a power cut keeps them too (the
    /// native engine's files; its cost is one disk flush a node with effects).
    pub sync: bool,
}

/// When an interrupted run goes on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResumePolicy {
    /// When the app calls `executions.resume(id)`; until then it is listed as `interrupted`.
    #[default]
    Manual,
    /// As soon as a conductor opens the store (a run that needs a decision waits for one).
    Auto,
}

/// The run option `resume: {rerun?, skip?}` (`executions.resume` sets it): the run continues
/// recorded execution `executionId` from its checkpoints. `rerun` names nodes with effects that
/// were running when the process ended and may run again; `skip` gives such nodes' outputs
/// instead (the user knows the effect happened).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireResume", optional_fields))]
pub struct ResumeRequest {
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    pub rerun: Vec<String>,
    #[cfg_attr(test, ts(type = "Record<string, unknown>", optional))]
    pub skip: HashMap<String, Value>,
}

/// A node with effects that started; written (and stored) before it is called.
#[derive(Debug, Clone)]
pub struct NodeStarted {
    pub execution_id: Arc<str>,
    pub node_id: Arc<str>,
    pub node_type: Arc<str>,
    /// The flow says running it twice is safe (`parameters.idempotent`).
    pub idempotent: bool,
}

/// A node that had started, with effects, and had not ended when its process did.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub node_id: String,
    pub node_type: String,
    pub idempotent: bool,
}

/// What a store holds of an interrupted run: its whole input and variables, each ended node's
/// whole output (by path: its type and output, `None` for `undefined`), and the nodes with
/// effects that were in flight. Checkpoints whose checksum did not match are left out (counted in
/// `torn`): their nodes run again.
#[derive(Debug, Clone, Default)]
pub struct Checkpoints {
    pub input: Option<Value>,
    pub variables: Option<Value>,
    pub outputs: HashMap<String, (Arc<str>, Option<Arc<Value>>)>,
    pub in_flight: Vec<InFlight>,
    pub torn: usize,
    /// By wait node path, what woke the run there (see [`super::wait`]).
    pub deliveries: HashMap<String, Value>,
}

/// What a resumed run starts from.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub reuse: Reuse,
    pub input: Option<Value>,
    pub variables: Option<Value>,
}

/// A checkpoint's checksum: FNV-1a 64 of its text, in hex.
pub fn checksum(text: &str) -> String {
    super::flow_hash(text, &[])
}

/// A checkpoint's value read back, when its text is whole (its checksum matches); `Some(None)`
/// for a node that gave `undefined` (stored without text).
pub fn verified(text: Option<&str>, sum: &str) -> Option<Option<Value>> {
    let text = text.unwrap_or("");
    if checksum(text) != sum {
        return None;
    }
    if text.is_empty() {
        return Some(None);
    }
    crate::value::codec::from_json(text).ok().map(Some)
}

/// A checkpoint's text: the value whole (never cut, never redacted), as the codec writes it;
/// empty for `undefined`.
pub fn checkpoint_text(value: Option<&Value>) -> String {
    value.map(|v| super::Capture::new(usize::MAX, Vec::new()).value(v).json).unwrap_or_default()
}

/// A checkpoint as a store keeps it in one text, for stores that keep texts by key (Redis, the
/// text stores of the WebAssembly engine): `<checksum>\n<node type>\n<value's text>`, the
/// checksum of the value's text, so that a text damaged or cut in the store is not trusted.
pub fn checkpoint_entry(node_type: &str, value: Option<&Value>) -> String {
    let text = checkpoint_text(value);
    format!("{}\n{node_type}\n{text}", checksum(&text))
}

/// A [`checkpoint_entry`] read back: its node type and value (`None`: `undefined`); `None` when it
/// is damaged.
pub fn read_checkpoint_entry(entry: &str) -> Option<(&str, Option<Value>)> {
    let mut parts = entry.splitn(3, '\n');
    let (sum, node_type, text) = (parts.next()?, parts.next()?, parts.next()?);
    verified(Some(text), sum).map(|value| (node_type, value))
}

/// A node with effects that started, as a store keeps it in one text: `<node type>\n<1|0>`
/// (idempotent or not).
pub fn started_entry(node_type: &str, idempotent: bool) -> String {
    format!("{node_type}\n{}", if idempotent { "1" } else { "0" })
}

/// A [`started_entry`] read back as the node `node_id` in flight.
pub fn read_started_entry(node_id: &str, entry: &str) -> InFlight {
    let (node_type, idempotent) = entry.rsplit_once('\n').unwrap_or((entry, "0"));
    InFlight {
        node_id: node_id.to_owned(),
        node_type: node_type.to_owned(),
        idempotent: idempotent == "1",
    }
}

impl Checkpoints {
    /// Adds checkpoint `name` of a store that keeps each as an entry by name: `input`,
    /// `variables`, `d:<node>` (an ended node's output), `s:<node>` (a start) or `w:<node>` (what
    /// woke a wait node). A damaged output is counted in `torn` (its node runs again); a damaged
    /// input or variables refuses.
    pub fn add_entry(&mut self, execution_id: &str, name: &str, entry: &str) -> Result<()> {
        if let Some(node_id) = name.strip_prefix("s:") {
            self.in_flight.push(read_started_entry(node_id, entry));
            return Ok(());
        }
        if let Some(node_id) = name.strip_prefix("w:") {
            // A damaged delivery is not trusted: the node waits again.
            match read_checkpoint_entry(entry) {
                Some((_, Some(delivery))) => {
                    self.deliveries.insert(node_id.to_owned(), delivery);
                }
                _ => self.torn += 1,
            }
            return Ok(());
        }
        match (name, read_checkpoint_entry(entry)) {
            ("input" | "variables", None) => {
                return Err(ExecutionError::validation(format!(
                    "Cannot resume execution {execution_id}: its {name} checkpoint is damaged"
                )));
            }
            ("input", Some((_, value))) => self.input = value,
            ("variables", Some((_, value))) => self.variables = value,
            (_, Some((node_type, output))) => match name.strip_prefix("d:") {
                Some(node_id) => {
                    let entry = (Arc::from(node_type), output.map(Arc::new));
                    self.outputs.insert(node_id.to_owned(), entry);
                }
                None => self.torn += 1,
            },
            (_, None) => self.torn += 1,
        }
        Ok(())
    }

    /// Drops starts of nodes whose end is kept too: a store whose writes may land out of order
    /// can keep both.
    pub fn settle(&mut self) {
        let outputs = &self.outputs;
        self.in_flight.retain(|node| !outputs.contains_key(&node.node_id));
    }

    /// How run `execution_id` resumes as `request` decides: refused (changing nothing) while a
    /// node with effects that may have had them waits for a decision, or when the request names
    /// a node that was not in flight.
    pub fn resumed(mut self, execution_id: &str, request: &ResumeRequest) -> Result<Resumed> {
        let in_flight = |id: &str| self.in_flight.iter().find(|n| n.node_id == id);
        for named in request.rerun.iter().chain(request.skip.keys()) {
            if in_flight(named).is_none() {
                return Err(ExecutionError::validation(format!(
                    "Cannot resume execution {execution_id} with a decision on node '{named}': it was not running with effects when the run stopped"
                )));
            }
        }
        let undecided: Vec<&InFlight> = self
            .in_flight
            .iter()
            .filter(|n| {
                !n.idempotent
                    && !request.rerun.contains(&n.node_id)
                    && !request.skip.contains_key(&n.node_id)
            })
            .collect();
        if !undecided.is_empty() {
            let names = undecided
                .iter()
                .map(|n| format!("'{}' ({})", n.node_id, n.node_type))
                .collect::<Vec<_>>()
                .join(", ");
            let nodes = undecided
                .iter()
                .map(|n| {
                    let mut node = crate::value::Map::new();
                    node.insert("nodeId", Value::from(n.node_id.as_str()));
                    node.insert("nodeType", Value::from(n.node_type.as_str()));
                    Value::Object(node)
                })
                .collect();
            return Err(ExecutionError::new(
                ErrorCode::DECISION_REQUIRED,
                format!(
                    "Execution {execution_id} stopped while {names} {} running, and may have had {} effect: resume it with {{rerun: [...]}} to run {} again, or {{skip: {{nodeId: output}}}} to give {} output",
                    if undecided.len() == 1 { "was" } else { "were" },
                    if undecided.len() == 1 { "its" } else { "their" },
                    if undecided.len() == 1 { "it" } else { "them" },
                    if undecided.len() == 1 { "its" } else { "their" },
                ),
            )
            .with_context("nodes", Value::Array(nodes)));
        }
        for (node_id, output) in &request.skip {
            if let Some(node) = in_flight(node_id) {
                let node_type = Arc::from(node.node_type.as_str());
                self.outputs.insert(node_id.clone(), (node_type, Some(Arc::new(output.clone()))));
            }
        }
        // Each node that runs again made one attempt already (a start is kept once per node).
        let interrupted = self
            .in_flight
            .iter()
            .filter(|n| !request.skip.contains_key(&n.node_id))
            .map(|n| (n.node_id.clone(), 1))
            .collect();
        Ok(Resumed {
            reuse: Reuse {
                outputs: self.outputs,
                rerun_from: None,
                effects_only: false,
                interrupted,
                deliveries: self.deliveries,
            },
            input: self.input,
            variables: self.variables,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interrupted() -> Checkpoints {
        let mut outputs = HashMap::new();
        outputs.insert("a".to_owned(), (Arc::from("transform"), Some(Arc::new(Value::from(1)))));
        Checkpoints {
            outputs,
            in_flight: vec![
                InFlight {
                    node_id: "post".into(),
                    node_type: "http-request".into(),
                    idempotent: false,
                },
                InFlight {
                    node_id: "get".into(),
                    node_type: "http-request".into(),
                    idempotent: true,
                },
            ],
            ..Checkpoints::default()
        }
    }

    #[test]
    fn a_node_with_effects_in_flight_waits_for_a_decision() {
        let error = interrupted().resumed("exec_1", &ResumeRequest::default()).unwrap_err();
        assert_eq!(error.code, crate::error::ErrorCode::DECISION_REQUIRED);
        assert!(error.message.contains("'post' (http-request)"), "{}", error.message);
        let nodes = error.context.as_ref().and_then(|c| c.get("nodes")).cloned();
        assert_eq!(
            nodes.and_then(|n| serde_json::to_value(&n).ok()),
            Some(serde_json::json!([{"nodeId": "post", "nodeType": "http-request"}]))
        );
        assert!(!error.message.contains("'get'"), "an idempotent node needs no decision");
    }

    #[test]
    fn rerun_runs_it_again_and_skip_gives_its_output() {
        let rerun = ResumeRequest { rerun: vec!["post".into()], ..ResumeRequest::default() };
        let resumed = interrupted().resumed("exec_1", &rerun).unwrap();
        assert!(!resumed.reuse.outputs.contains_key("post"));
        assert!(resumed.reuse.outputs.contains_key("a"));

        let mut skip = ResumeRequest::default();
        skip.skip.insert("post".into(), Value::from("sent"));
        let resumed = interrupted().resumed("exec_1", &skip).unwrap();
        let (node_type, output) = &resumed.reuse.outputs["post"];
        assert_eq!((&**node_type, output.as_deref()), ("http-request", Some(&Value::from("sent"))));
    }

    #[test]
    fn a_decision_on_a_node_that_was_not_in_flight_is_refused() {
        let rerun = ResumeRequest { rerun: vec!["a".into()], ..ResumeRequest::default() };
        let error = interrupted().resumed("exec_1", &rerun).unwrap_err();
        assert!(error.message.contains("node 'a'"), "{}", error.message);
    }

    #[test]
    fn a_checkpoint_cut_anywhere_is_not_trusted() {
        let text = checkpoint_text(Some(&crate::json!({"rows": [1, 2, 3], "name": "x"})));
        let sum = checksum(&text);
        assert!(verified(Some(&text), &sum).is_some_and(|v| v.is_some()));
        for cut in 0..text.len() {
            assert_eq!(verified(Some(&text[..cut]), &sum), None, "cut at {cut}");
        }
        assert_eq!(verified(None, &checksum("")), Some(None), "undefined is stored as no text");
    }
}

//! Replay: a recorded run run again with every node that has effects given its recorded output
//! instead of running (no request sent, no file written, no command run), and the nodes whose
//! output now differs from the record — the check after editing a flow or upgrading the engine.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::record::RunRecord;
use super::retry::Reuse;
use crate::value::Value;

/// `replay: {of}` in a run's options (`executions.replay` sets it): the run replays execution `of`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireReplay"))]
pub struct ReplayRequest {
    pub of: String,
}

/// What a replay of `record` takes instead of running: every recorded output kept whole, for the
/// scheduler to give to the nodes with effects only (see [`Reuse::effects_only`]).
pub fn replay_reuse(record: &RunRecord) -> Reuse {
    let outputs = record
        .nodes
        .iter()
        .filter(|n| n.state.has_output() && n.reusable)
        .map(|n| {
            (n.node_id.clone(), (Arc::from(n.node_type.as_str()), n.output.clone().map(Arc::new)))
        })
        .collect();
    Reuse { outputs, effects_only: true, ..Reuse::default() }
}

/// One node whose output in the replay is not the recorded one (`None`: no output).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ReplayDifference"))]
pub struct OutputDifference {
    pub node_id: String,
    #[cfg_attr(test, ts(type = "unknown"))]
    pub recorded: Option<Value>,
    #[cfg_attr(test, ts(type = "unknown"))]
    pub replayed: Option<Value>,
}

/// `executions.differences({of, run})`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ReplayDifferences"))]
pub struct Differences {
    /// In the order the replay's nodes ended.
    pub differences: Vec<OutputDifference>,
}

/// The nodes of `replay` whose output differs from `recorded`'s (as both records keep them),
/// and recorded nodes with an output that the replay no longer gave.
pub fn differences(recorded: &RunRecord, replay: &RunRecord) -> Differences {
    let before: HashMap<&str, Option<&Value>> = recorded
        .nodes
        .iter()
        .filter(|n| n.state.has_output())
        .map(|n| (n.node_id.as_str(), n.output.as_ref()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut differences = Vec::new();
    for node in replay.nodes.iter().filter(|n| n.state.has_output()) {
        seen.insert(node.node_id.as_str());
        let was = before.get(node.node_id.as_str()).copied().flatten();
        if !before.contains_key(node.node_id.as_str())
            || !same_output(&node.node_type, was, node.output.as_ref())
        {
            differences.push(OutputDifference {
                node_id: node.node_id.clone(),
                recorded: was.cloned(),
                replayed: node.output.clone(),
            });
        }
    }
    for node in recorded.nodes.iter().filter(|n| n.state.has_output()) {
        if !seen.contains(node.node_id.as_str()) {
            differences.push(OutputDifference {
                node_id: node.node_id.clone(),
                recorded: node.output.clone(),
                replayed: None,
            });
        }
    }
    Differences { differences }
}

/// The fields of a built-in's output that measure time rather than hold data: two runs that
/// did the same work differ there (a command's, a request's or a loop's `duration`), so a
/// difference is not one.
fn timing_fields(node_type: &str) -> &'static [&'static str] {
    match node_type {
        "shell-command" | "http-request" | "loop" | "parallel" => &["duration"],
        _ => &[],
    }
}

/// Whether two outputs of a node of `node_type` hold the same data (its timing fields aside).
fn same_output(node_type: &str, a: Option<&Value>, b: Option<&Value>) -> bool {
    let timing = timing_fields(node_type);
    match (a, b) {
        (Some(Value::Object(a)), Some(Value::Object(b))) if !timing.is_empty() => {
            let is_data = |key: &str| !timing.contains(&key);
            let count = |map: &crate::value::Map| map.iter().filter(|(k, _)| is_data(k)).count();
            count(a) == count(b)
                && a.iter().filter(|(k, _)| is_data(k)).all(|(k, v)| b.get(&**k) == Some(v))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{NodeRecord, RunStatus, RunSummary};
    use crate::progress::NodeState;

    fn record(nodes: &[(&str, NodeState, Option<Value>)]) -> RunRecord {
        let summary =
            RunSummary { status: RunStatus::Success, ..RunSummary::running("r", "f", 0.0) };
        let nodes = nodes
            .iter()
            .map(|(id, state, output)| NodeRecord {
                node_id: (*id).into(),
                node_type: "transform".into(),
                state: *state,
                attempts: 1,
                reused: false,
                reusable: true,
                input: None,
                output: output.clone(),
                error: None,
                start_time: None,
                end_time: None,
                cache_key: None,
                cache_age: None,
            })
            .collect();
        RunRecord { summary, flow: Value::Null, input: Value::Null, variables: Value::Null, nodes }
    }

    #[test]
    fn changed_new_and_missing_outputs_are_differences_and_equal_ones_are_not() {
        let done = NodeState::Completed;
        let before = record(&[
            ("same", done, Some(Value::from(1))),
            ("changed", done, Some(Value::from(2))),
            ("gone", done, Some(Value::from(3))),
            ("failed", NodeState::Error, None),
        ]);
        let after = record(&[
            ("same", done, Some(Value::from(1))),
            ("changed", done, Some(Value::from(20))),
            ("new", done, None),
        ]);
        let found: Vec<(String, Option<Value>, Option<Value>)> = differences(&before, &after)
            .differences
            .into_iter()
            .map(|d| (d.node_id, d.recorded, d.replayed))
            .collect();
        assert_eq!(
            found,
            vec![
                ("changed".into(), Some(Value::from(2)), Some(Value::from(20))),
                ("new".into(), None, None),
                ("gone".into(), Some(Value::from(3)), None),
            ]
        );
        let shell = |duration: f64, stdout: &str| {
            let mut nodes = record(&[(
                "cmd",
                done,
                Some(crate::json!({"stdout": stdout, "exitCode": 0, "duration": duration})),
            )]);
            nodes.nodes[0].node_type = "shell-command".into();
            nodes
        };
        assert!(
            differences(&shell(12.0, "a"), &shell(40.0, "a")).differences.is_empty(),
            "a command that took longer did the same work"
        );
        assert_eq!(differences(&shell(12.0, "a"), &shell(12.0, "b")).differences.len(), 1);
        let reuse = replay_reuse(&before);
        assert!(reuse.effects_only && reuse.outputs.len() == 3, "outputs of nodes that had one");
    }
}

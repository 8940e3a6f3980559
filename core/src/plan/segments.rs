//! Chains of nodes that run as one stream of rows (see `crate::nodes::stream`).
//!
//! A chain streams when it starts with a node that reads rows from outside (a source, with no
//! inputs of its own) and every
//! next node takes the previous one's whole output (or, in a flow of version 2, its rows as a
//! list) on its stream input and nothing else: the
//! previous node has that one edge out, the next that one edge in, under the same group. Nodes
//! that would behave differently streamed do not stream: disabled ones, those with a `timeout`
//! or `retries` of their own (an attempt of one node cannot be repeated in the middle of a
//! stream), and types the run's JS executors provide.

use std::collections::HashSet;

use super::{NodeIx, Plan};
use crate::nodes::stream::{Reads, Streaming};
use crate::nodes::NodeRegistry;

/// A chain of nodes run as one stream: `nodes[0]` is a source; each next node reads the
/// previous one's rows.
pub(crate) struct Segment {
    pub nodes: Vec<NodeIx>,
    pub streaming: Vec<Streaming>,
}

/// Every chain of `plan` that can stream, in the plan's order.
pub(crate) fn segments(
    plan: &Plan,
    registry: &NodeRegistry,
    custom_types: &HashSet<String>,
) -> Vec<Segment> {
    let streaming = |ix: NodeIx| -> Option<Streaming> {
        let node = &plan.nodes[ix];
        if node.is_group()
            || !node.enabled
            || node.timeout_ms.is_some()
            || node.retries > 0
            // A group that runs its children one at a time runs them whole.
            || node.parent.is_some_and(|parent| plan.nodes[parent].sequential)
        {
            return None;
        }
        if node.kind == super::NodeKind::ForEach {
            return crate::nodes::builtin::for_each::streamed(&node.parameters);
        }
        let node_type =
            crate::nodes::route(&node.node_type, registry, custom_types)?.registered()?;
        match registry.executor(&node.node_type) {
            Some(executor) => executor.streaming(&node.parameters),
            None => node_type.streaming(&node.parameters),
        }
    };
    let mut out = Vec::new();
    for ix in 0..plan.nodes.len() {
        // A source reads from outside; one that takes inputs reads whole.
        if !plan.nodes[ix].inputs.is_empty() {
            continue;
        }
        let Some(head @ Streaming::Source { .. }) = streaming(ix) else { continue };
        let mut segment = Segment { nodes: vec![ix], streaming: vec![head] };
        let mut current = ix;
        while let Some(rows) = segment.streaming.last().and_then(Streaming::rows) {
            let node = &plan.nodes[current];
            let [(next, _)] = node.outputs[..] else { break };
            let next_node = &plan.nodes[next];
            let [ref input] = next_node.inputs[..] else { break };
            // The whole output or, in a flow of version 2, the rows field itself (the next
            // node gets the rows as its list), whatever happens: a port that selects something
            // else or may not fire, or a failure handled as data, is not a stream of the rows.
            let carries = match &input.port {
                super::Port::Whole => Some(false),
                super::Port::Field(field) if **field == *rows.name => Some(true),
                _ => None,
            };
            let Some(rows_alone) = carries else { break };
            if node.on_error != super::OnError::Stop {
                break;
            }
            let Some(kind) = streaming(next) else { break };
            // A for-each reads its one input whatever its key.
            let port_fits =
                kind.port() == Some(&*input.key) || next_node.kind == super::NodeKind::ForEach;
            // Given the rows alone, a node reading the list in its input reads them; one that
            // writes its whole input out would write them without the rest of the output.
            let reads_them = |reads: Reads| match rows_alone {
                true => reads == Reads::ArrayIn,
                false => reads.reads_rows_of(rows),
            };
            let fits = port_fits && kind.reads().is_some_and(reads_them);
            if !fits || next_node.parent != node.parent {
                break;
            }
            segment.nodes.push(next);
            segment.streaming.push(kind);
            current = next;
        }
        if segment.nodes.len() >= 2 {
            out.push(segment);
        }
    }
    out
}

//! The JSON shape of a trace (the TypeScript engine `ExecutionTrace`), written directly.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::{ExecutionTrace, NodeTrace, TraceData, TraceEvent};

impl Serialize for ExecutionTrace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Per-node event lists by counting sort: one pass, two allocations, whatever the size.
        let mut offsets = vec![0usize; self.nodes.len() + 1];
        for event in &self.events {
            if let Some(node) = event.node {
                offsets[node as usize + 1] += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut cursor = offsets.clone();
        let mut by_node = vec![0usize; offsets.last().copied().unwrap_or(0)];
        for (index, event) in self.events.iter().enumerate() {
            if let Some(node) = event.node {
                by_node[cursor[node as usize]] = index;
                cursor[node as usize] += 1;
            }
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("executionId", &*self.execution_id)?;
        map.serialize_entry("rootNodeId", &*self.root_node_id)?;
        map.serialize_entry("startTime", &self.start_time)?;
        if let Some(end) = self.end_time {
            map.serialize_entry("endTime", &end)?;
        }
        if let Some(duration) = self.duration {
            map.serialize_entry("duration", &duration)?;
        }
        map.serialize_entry("config", &Config(self.slow_mo))?;
        map.serialize_entry("events", &Events { trace: self, indices: None })?;
        map.serialize_entry("nodes", &Nodes { trace: self, offsets: &offsets, by_node: &by_node })?;
        map.end()
    }
}

struct Config(Option<f64>);

impl Serialize for Config {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(slow_mo) = self.0 {
            map.serialize_entry("slowMo", &slow_mo)?;
        }
        map.end()
    }
}

/// All events (`indices: None`, with `nodeId` in the data) or one node's (without it).
struct Events<'a> {
    trace: &'a ExecutionTrace,
    indices: Option<&'a [usize]>,
}

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let global = self.indices.is_none();
        let mut seq = serializer.serialize_seq(None)?;
        match self.indices {
            None => {
                for event in &self.trace.events {
                    seq.serialize_element(&Event { trace: self.trace, event, global })?;
                }
            }
            Some(indices) => {
                for &i in indices {
                    seq.serialize_element(&Event {
                        trace: self.trace,
                        event: &self.trace.events[i],
                        global,
                    })?;
                }
            }
        }
        seq.end()
    }
}

struct Event<'a> {
    trace: &'a ExecutionTrace,
    event: &'a TraceEvent,
    global: bool,
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = match self.event.data {
            TraceData::Started { .. } => "started",
            TraceData::StateChange { .. } => "state-change",
            TraceData::Progress { .. } => "progress",
            TraceData::Completed { .. } => "completed",
        };
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("timestamp", &self.event.timestamp)?;
        map.serialize_entry("type", kind)?;
        map.serialize_entry("data", &Data(self))?;
        map.end()
    }
}

struct Data<'a>(&'a Event<'a>);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Event { trace, event, global } = *self.0;
        let node_id = event
            .node
            .filter(|_| global)
            .and_then(|i| trace.nodes.get(i as usize))
            .map(|n| &*n.node_id);
        let mut map = serializer.serialize_map(None)?;
        match &event.data {
            TraceData::Started { total_nodes, total_weight, critical_path } => {
                map.serialize_entry("totalNodes", total_nodes)?;
                map.serialize_entry("totalWeight", total_weight)?;
                map.serialize_entry("criticalPath", &**critical_path)?;
            }
            TraceData::StateChange { state, error_message } => {
                match node_id {
                    Some(id) => map.serialize_entry("nodeId", id)?,
                    // The root group's own changes.
                    None if global && event.node.is_none() => {
                        map.serialize_entry("nodeId", &*trace.root_node_id)?
                    }
                    None => {}
                }
                map.serialize_entry("state", state)?;
                map.serialize_entry("errorMessage", error_message)?;
            }
            TraceData::Progress { progress, message, overall } => {
                if let Some(id) = node_id {
                    map.serialize_entry("nodeId", id)?;
                    map.serialize_entry("progress", overall)?;
                    map.serialize_entry("nodeProgress", progress)?;
                } else {
                    map.serialize_entry("progress", progress)?;
                }
                map.serialize_entry("message", message)?;
            }
            TraceData::Completed { total_duration, nodes_completed, nodes_errored } => {
                map.serialize_entry("totalDuration", total_duration)?;
                map.serialize_entry("nodesCompleted", nodes_completed)?;
                map.serialize_entry("nodesErrored", nodes_errored)?;
            }
        }
        map.end()
    }
}

struct Nodes<'a> {
    trace: &'a ExecutionTrace,
    offsets: &'a [usize],
    by_node: &'a [usize],
}

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.trace.nodes.len()))?;
        for (i, node) in self.trace.nodes.iter().enumerate() {
            let events = &self.by_node[self.offsets[i]..self.offsets[i + 1]];
            seq.serialize_element(&Node {
                node,
                events: Events { trace: self.trace, indices: Some(events) },
            })?;
        }
        seq.end()
    }
}

struct Node<'a> {
    node: &'a NodeTrace,
    events: Events<'a>,
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let n = self.node;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("nodeId", &*n.node_id)?;
        map.serialize_entry("nodeName", &*n.node_name)?;
        map.serialize_entry("nodeType", &*n.node_type)?;
        map.serialize_entry("startTime", &n.start_time)?;
        if let Some(end) = n.end_time {
            map.serialize_entry("endTime", &end)?;
        }
        if let Some(duration) = n.duration {
            map.serialize_entry("duration", &duration)?;
        }
        map.serialize_entry("state", &n.state)?;
        map.serialize_entry("progress", &n.progress)?;
        if let Some(hit) = n.cache {
            map.serialize_entry("cacheKey", &hit.key.to_hex())?;
            map.serialize_entry("cacheAge", &hit.age_ms)?;
        }
        map.serialize_entry("events", &self.events)?;
        map.end()
    }
}

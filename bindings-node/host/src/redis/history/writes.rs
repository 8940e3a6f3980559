//! Writes: each batch goes to the server as one call of `lua/writes.lua` (one round trip, one
//! atomic step), so a record is never left half-written whatever else fails.

use atomiton_core::history::{
    checkpoint_entry, node_record, started_entry, Capture, HistoryWrite, NodeEnded, RunBegun,
    RunEnded,
};
use redis::{Cmd, Value};

use super::scripts;
use crate::history::stored::{to_json, KnownFlows};
use crate::redis::link::Link;
use crate::store_thread::{Applied, Batch};

/// What the writer keeps between batches: the capture policy, the owner it writes as (a run
/// another owner took over is not written to), and the definitions it knows the server holds
/// (with the digest the server gave each).
pub(super) struct Writer {
    capture: Capture,
    owner: String,
    /// This store's name among the writers (see `liveness::writer_name`).
    name: String,
    known: KnownFlows<String>,
}

/// A run's beginning (or its definition, attached), whose answer says something about its
/// definition.
struct Sent<'a> {
    begun: &'a RunBegun,
    hash: String,
}

impl Writer {
    pub(super) fn new(capture: Capture, owner: String, name: String) -> Writer {
        Writer { capture, owner, name, known: KnownFlows::default() }
    }

    /// A call of the writes script for batch `number`, as this writer's owner.
    fn call(&self, link: &Link, number: u64) -> crate::redis::link::Call {
        let mut call = link.script(&scripts::WRITES);
        call.cmd.arg(&self.owner).arg(&self.name).arg(number);
        call
    }

    /// Stores `writes` in order. A batch the server cannot take is dropped (history never fails
    /// a run); so is a write the script fails on.
    pub(super) fn apply(&mut self, link: &mut Link, batch: &Batch) -> Applied {
        let mut call = self.call(link, batch.number);
        // The beginnings, in the order the script answers them.
        let mut sent = Vec::new();
        for write in &batch.writes {
            match write {
                HistoryWrite::Begun(begun) => {
                    let hash = if begun.summary.flow_hash.is_empty() {
                        begun.flow_hash()
                    } else {
                        begun.summary.flow_hash.clone()
                    };
                    self.begin(&mut call.cmd, begun, &hash);
                    if begun.summary.durable && !begun.values_pending {
                        let id = &begun.summary.id;
                        let input = Some(begun.input.to_value());
                        checkpoint_write(&mut call.cmd, id, "input", "", input.as_ref());
                        checkpoint_write(
                            &mut call.cmd,
                            id,
                            "variables",
                            "",
                            Some(&begun.variables),
                        );
                    }
                    sent.push(Sent { begun, hash });
                }
                HistoryWrite::Node(node) => {
                    self.node(&mut call.cmd, node);
                    if node.checkpoint && node.state.has_output() && !node.summarized {
                        let field = format!("d:{}", node.node_id);
                        let output = node.output.as_deref();
                        checkpoint_write(
                            &mut call.cmd,
                            &node.execution_id,
                            &field,
                            &node.node_type,
                            output,
                        );
                    }
                }
                HistoryWrite::Ended(ended) => ended_write(&mut call.cmd, ended),
                HistoryWrite::Started(started) => {
                    call.cmd
                        .arg("ckpt")
                        .arg(&*started.execution_id)
                        .arg(format!("s:{}", started.node_id))
                        .arg(started_entry(&started.node_type, started.idempotent));
                }
            }
        }
        let answers = match link.run::<Vec<Value>>(&call) {
            Ok(answers) => answers,
            // The connection broke, before or after the server ran the batch (its number tells).
            Err(why) if !link.connected() => return Applied::Unreachable(why),
            Err(why) => {
                eprintln!(
                    "[atomiton] Execution history: Redis refused a batch of {} writes: {why}",
                    batch.writes.len()
                );
                return Applied::Done;
            }
        };
        let missing: Vec<Sent> = sent
            .into_iter()
            .zip(answers)
            .filter(|(sent, answer)| self.learn(sent, answer))
            .map(|(sent, _)| sent)
            .collect();
        if !missing.is_empty() {
            self.attach(link, missing);
        }
        Applied::Done
    }

    /// Learns from `define`'s answer to `sent`; whether the server asks for the definition.
    fn learn(&mut self, sent: &Sent, answer: &Value) -> bool {
        let answer: Vec<Option<String>> = redis::from_redis_value_ref(answer).unwrap_or_default();
        match answer.as_slice() {
            [Some(shared), Some(digest)] if shared == "shared" => {
                self.known.add(&sent.hash, sent.begun, digest.clone())
            }
            [Some(missing)] if missing == "missing" => {
                self.known.forget(&sent.hash);
                return true;
            }
            _ => {}
        }
        false
    }

    /// Sends the definitions the server no longer held (another process removed them after this
    /// one saw them).
    fn attach(&mut self, link: &mut Link, missing: Vec<Sent<'_>>) {
        // Not numbered (0): an attach made twice changes nothing the first did not.
        let mut call = self.call(link, 0);
        for sent in &missing {
            call.cmd
                .arg("attach")
                .arg(&*sent.begun.summary.id)
                .arg(&sent.hash)
                .arg(self.definition(sent.begun));
        }
        let Ok(answers) = link.run::<Vec<Value>>(&call) else { return };
        for (sent, answer) in missing.iter().zip(answers) {
            self.learn(sent, &answer);
        }
    }

    /// The definition as a record keeps it: self-contained (binary data inline), redacted, never
    /// cut (a retry runs it again).
    fn definition(&self, begun: &RunBegun) -> String {
        self.capture.uncapped().value(&begun.flow_value(&self.capture)).json
    }

    fn begin(&self, cmd: &mut Cmd, begun: &RunBegun, hash: &str) {
        let s = &begun.summary;
        cmd.arg("begin")
            .arg(&s.id)
            .arg(&s.flow_id)
            .arg(hash)
            .arg(s.status.as_str())
            .arg(number(s.start_time));
        cmd.arg(s.end_time.map(number).unwrap_or_default())
            .arg(s.duration.map(number).unwrap_or_default());
        cmd.arg(s.error.as_ref().map(to_json).unwrap_or_default())
            .arg(s.retry_of.as_deref().unwrap_or(""))
            .arg(s.owner.as_deref().unwrap_or(""))
            .arg(if s.durable { "1" } else { "" });
        cmd.arg(self.capture.input(&begun.input).json)
            .arg(self.capture.value(&begun.variables).json);
        // A definition this process saw stored is named by its digest instead of sent again.
        match self.known.holds(hash, begun) {
            Some(digest) => cmd.arg("known").arg(digest),
            None => cmd.arg("text").arg(self.definition(begun)),
        };
    }

    fn node(&self, cmd: &mut Cmd, node: &NodeEnded) {
        cmd.arg("node").arg(&*node.execution_id).arg(to_json(&node_record(node, &self.capture)));
    }
}

/// One checkpoint as the script keeps it (see `checkpoint_entry`).
fn checkpoint_write(
    cmd: &mut Cmd,
    id: &str,
    field: &str,
    node_type: &str,
    value: Option<&atomiton_core::value::Value>,
) {
    cmd.arg("ckpt").arg(id).arg(field).arg(checkpoint_entry(node_type, value));
}

fn ended_write(cmd: &mut Cmd, ended: &RunEnded) {
    cmd.arg("ended")
        .arg(&*ended.execution_id)
        .arg(ended.status.as_str())
        .arg(number(ended.end_time))
        .arg(ended.error.as_ref().map(to_json).unwrap_or_default());
}

/// A time as the scripts take it: the shortest text that reads back as the same double (a score
/// must be a number, so anything but one is 0).
pub(super) fn number(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        "0".into()
    }
}

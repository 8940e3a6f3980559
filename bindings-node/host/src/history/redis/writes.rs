//! Writes as scripts: each batch goes to the server as one pipeline (one round trip), each write
//! one script, so a record is never left half-written whatever else fails.

use atomiton_core::history::{node_record, Capture, HistoryWrite, NodeEnded, RunBegun, RunEnded};
use redis::{Pipeline, RedisResult, Value};

use super::super::stored::{to_json, KnownFlows};
use super::link::Link;
use super::scripts;

/// What the writer keeps between batches: the capture policy, and the definitions it knows the
/// server holds (with the digest the server gave each).
pub(super) struct Writer {
    capture: Capture,
    known: KnownFlows<String>,
}

/// A run's beginning whose answer says something about its definition.
struct Sent {
    index: usize,
    begun: Box<RunBegun>,
    hash: String,
}

impl Writer {
    pub(super) fn new(capture: Capture) -> Writer {
        Writer { capture, known: KnownFlows::default() }
    }

    /// Stores `writes` in order. A batch the server cannot take is dropped (history never fails
    /// a run); so is a write whose script fails.
    pub(super) fn apply(&mut self, link: &mut Link, writes: Vec<HistoryWrite>) {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        let mut sent = Vec::new();
        for write in writes {
            match write {
                HistoryWrite::Begun(begun) => {
                    let hash = if begun.summary.flow_hash.is_empty() { begun.flow_hash() } else { begun.summary.flow_hash.clone() };
                    let cmd = self.begin(link, &begun, &hash);
                    sent.push(Sent { index: pipe.len(), begun, hash });
                    pipe.add_command(cmd);
                }
                HistoryWrite::Node(node) => {
                    pipe.add_command(self.node(link, &node));
                }
                HistoryWrite::Ended(ended) => {
                    pipe.add_command(ended_command(link, &ended));
                }
            }
        }
        let Ok(answers) = link.query(|conn| pipe.query::<Vec<RedisResult<Value>>>(conn)) else { return };
        let missing: Vec<Sent> = sent.into_iter().filter(|s| self.learn(s, answers.get(s.index))).collect();
        if !missing.is_empty() {
            self.attach(link, missing);
        }
    }

    /// Learns from `define`'s answer to `sent`; whether the server asks for the definition.
    fn learn(&mut self, sent: &Sent, answer: Option<&RedisResult<Value>>) -> bool {
        let answer: Vec<Option<String>> = match answer {
            Some(Ok(value)) => redis::from_redis_value_ref(value).unwrap_or_default(),
            _ => return false,
        };
        match answer.as_slice() {
            [Some(shared), Some(digest)] if shared == "shared" => self.known.add(&sent.hash, &sent.begun, digest.clone()),
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
    fn attach(&mut self, link: &mut Link, missing: Vec<Sent>) {
        let mut pipe = Pipeline::new();
        pipe.ignore_errors();
        for sent in &missing {
            let mut cmd = link.eval(scripts::ATTACH);
            cmd.arg(&*sent.begun.summary.id).arg(&sent.hash).arg(self.definition(&sent.begun));
            pipe.add_command(cmd);
        }
        let Ok(answers) = link.query(|conn| pipe.query::<Vec<RedisResult<Value>>>(conn)) else { return };
        for (index, sent) in missing.into_iter().enumerate() {
            self.learn(&Sent { index, ..sent }, answers.get(index));
        }
    }

    /// The definition as a record keeps it: self-contained (binary data inline), redacted, never
    /// cut (a retry runs it again).
    fn definition(&self, begun: &RunBegun) -> String {
        self.capture.uncapped().value(&begun.flow_value(&self.capture)).json
    }

    fn begin(&self, link: &Link, begun: &RunBegun, hash: &str) -> redis::Cmd {
        let s = &begun.summary;
        let mut cmd = link.eval(scripts::BEGIN);
        cmd.arg(&s.id).arg(&s.flow_id).arg(hash).arg(s.status.as_str()).arg(number(s.start_time));
        cmd.arg(s.end_time.map(number).unwrap_or_default()).arg(s.duration.map(number).unwrap_or_default());
        cmd.arg(s.error.as_ref().map(to_json).unwrap_or_default()).arg(s.retry_of.as_deref().unwrap_or("")).arg(s.owner.as_deref().unwrap_or(""));
        cmd.arg(self.capture.input(&begun.input).json).arg(self.capture.value(&begun.variables).json);
        // A definition this process saw stored is named by its digest instead of sent again.
        match self.known.holds(hash, begun) {
            Some(digest) => cmd.arg("known").arg(digest),
            None => cmd.arg("text").arg(self.definition(begun)),
        };
        cmd
    }

    fn node(&self, link: &Link, node: &NodeEnded) -> redis::Cmd {
        let mut cmd = link.eval(scripts::NODE);
        cmd.arg(&*node.execution_id).arg(to_json(&node_record(node, &self.capture)));
        cmd
    }
}

fn ended_command(link: &Link, ended: &RunEnded) -> redis::Cmd {
    let mut cmd = link.eval(scripts::ENDED);
    cmd.arg(&*ended.execution_id).arg(ended.status.as_str()).arg(number(ended.end_time)).arg(ended.error.as_ref().map(to_json).unwrap_or_default());
    cmd
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

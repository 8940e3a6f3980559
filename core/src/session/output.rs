//! Writing a finished run's result as text, off the embedder's thread when it is large.
//!
//! A small flow's run is driven on the embedder's thread (Node's JS thread), and so is the
//! writing of its result — microseconds for most results, but tens of milliseconds for a
//! result of a few hundred thousand values (a workbook read, a large map), during which the
//! embedder's event loop would stand still. Large results are written on the host's workers.

use crate::engine::ExecutionResult;
use crate::host::{drop_later, offload, SharedHost};
use crate::value::Value;

use super::wire::RunOutput;

/// Values a result may hold and still be written where the run was driven.
const WRITE_IN_PLACE_UP_TO: usize = 20_000;
/// Values a result may hold and still be written by a run already on a worker (a millisecond
/// or two of writing; a trip to the pool would add a wait for a slot). Past it, the pool.
const WRITE_ON_WORKER_UP_TO: usize = 200_000;

/// `result` as codec text (see [`RunOutput::from_result`]), written on a worker when large. A
/// large result is also freed on a worker, while the embedder reads the text. A run that is
/// `on_worker` already (its document was large) writes it where it is: a trip to the pool
/// would only add a wait for a slot.
pub(super) async fn write_output(
    host: &SharedHost,
    result: ExecutionResult,
    slice_arrays_of: Option<usize>,
    on_worker: bool,
) -> RunOutput {
    let values = result.data.as_ref().map_or(0, |data| values_up_to(data, WRITE_ON_WORKER_UP_TO));
    if values <= WRITE_IN_PLACE_UP_TO || !host.has_workers() {
        return RunOutput::from_result(result, slice_arrays_of);
    }
    if on_worker && values <= WRITE_ON_WORKER_UP_TO {
        let (output, written) = RunOutput::with_written(result, slice_arrays_of);
        drop_later(host, written);
        return output;
    }
    match offload(host, move || RunOutput::with_written(result, slice_arrays_of)).await {
        Ok((output, written)) => {
            drop_later(host, written);
            output
        }
        Err(error) => RunOutput::from_result(crate::engine::ExecutionResult::failed(error), None),
    }
}

/// How many values `value` holds, counting no further than one past `limit`. A container's
/// items are counted as it is opened, and only containers among them are walked further: a
/// 100,000-number array is one length, not 100,000 steps.
fn values_up_to(value: &Value, limit: usize) -> usize {
    let mut pending = vec![value];
    let mut seen = 1usize;
    while let Some(value) = pending.pop() {
        if seen > limit {
            break;
        }
        match value {
            Value::Array(items) => {
                seen += items.len();
                if seen <= limit {
                    pending.extend(items.iter().filter(|item| is_container(item)));
                }
            }
            Value::Object(map) => {
                seen += map.len();
                if seen <= limit {
                    pending.extend(map.values().filter(|item| is_container(item)));
                }
            }
            _ => {}
        }
    }
    seen.min(limit.saturating_add(1))
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_at_the_limit() {
        let wide = Value::Array((0..100_000).map(|i| Value::from(f64::from(i))).collect());
        assert_eq!(values_up_to(&wide, 20_000), 20_001);
        let small = Value::Array((0..100).map(|i| Value::from(f64::from(i))).collect());
        assert_eq!(values_up_to(&small, 20_000), 101);
        // Containers inside count with what they hold.
        let records =
            Value::Array((0..10).map(|i| crate::json!({"id": i, "tags": ["a", "b"]})).collect());
        // The array, and per record: itself, its id, its tags and their two items.
        assert_eq!(values_up_to(&records, 20_000), 1 + 10 * (1 + 1 + 1 + 2));
        assert_eq!(values_up_to(&records, 30), 31);
    }
}

//! `map` over many items on several workers at once: each part maps a range of the items with
//! its own budgets, and the parts are joined in order (see `host::in_parts`). The result, and
//! the error of the first failing item, are the sequential loop's. Hosts without threads (wasm)
//! have no parts, and carry no code for them.

use std::sync::Arc;

use crate::error::ExecutionError;
use crate::host::SharedHost;
use crate::nodes::Invocation;
use crate::value::Value;

use super::super::pace::Pace;

/// The result of `operation` done in parts on the host's workers, or `None` when the sequential
/// loop should do it: anything but a large `map` running to its end on a worker (not inline),
/// one worker, or output that outgrows the node's bound (the loop then fails at the very item it
/// would have failed at).
pub(super) fn parts_of_map(
    invocation: &Arc<Invocation>,
    host: &SharedHost,
    pace: &Pace<'_>,
    operation: &str,
    items: usize,
    function: &str,
) -> Option<Result<Value, ExecutionError>> {
    if operation != "map" || !pace.is_unbounded() {
        return None;
    }
    #[cfg(not(target_arch = "wasm32"))]
    return threaded::map_in_parts(
        invocation,
        host,
        items,
        function,
        super::operations::implicit(operation),
    );
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (invocation, host, items, function);
        None
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "streams"))]
pub(super) use threaded::batch_in_parts;

#[cfg(not(target_arch = "wasm32"))]
mod threaded {
    use std::sync::Arc;

    use crate::error::ExecutionError;
    use crate::host::{in_parts, SharedHost};
    use crate::nodes::Invocation;
    use crate::value::Value;

    use super::super::super::common::{array_input, get_input, Config};
    use super::super::super::common_budget::NodeBudget;
    use super::super::super::common_expression::{compile_function, defined, item_error};
    use super::super::schema::SCHEMA;

    const TYPE: &str = "transform";
    /// Fewer items are mapped in one piece: a part must outweigh handing it to another thread.
    const PARALLEL_ITEMS: usize = 4096;
    /// Items per part at least; more parts than workers let a fast worker take another.
    const PART_ITEMS: usize = 1024;
    /// Items between two looks at the signal (as the sequential loop looks).
    const ITEMS_PER_LOOK: usize = 256;
    /// Numbers mapped between two looks at the signal in the numeric tier's loop (a few
    /// microseconds of work).
    const NUMBER_BLOCK: usize = 4096;

    /// `read` given the items the node maps (as `transform` finds them), for a part that has
    /// only the invocation.
    fn with_items<R>(invocation: &Invocation, read: impl FnOnce(&[Value]) -> R) -> R {
        let config = Config::new(&SCHEMA, invocation);
        read(
            get_input(invocation, &config, "data")
                .and_then(|data| array_input(data, config.str("dataPath")))
                .map_or(&[], Vec::as_slice),
        )
    }

    /// The items mapped in one loop here when they are all numbers and the body is over one
    /// number (`x => x * 2`), a block at a time with the signal looked at between blocks; `None`
    /// otherwise (a block holding a non-number, or without room in the output bound: the parts
    /// then map from the start, and fail where the sequential loop would). The loop is bound by
    /// memory, not by arithmetic: handing parts out and joining their results costs more than
    /// a second thread saves.
    fn numbers_in_one_loop(
        invocation: &Invocation,
        f: &crate::expression::Expression,
        limits: crate::expression::Limits,
    ) -> Option<Result<Value, ExecutionError>> {
        with_items(invocation, |items| {
            let calls = NodeBudget::new(limits, &invocation.signal);
            let mut out = Vec::with_capacity(items.len());
            for block in items.chunks(NUMBER_BLOCK) {
                if let Err(error) = calls.stopped() {
                    return Some(Err(error));
                }
                if !f.map_numbers(block, &calls.limits, calls.output(), &mut out) {
                    return None;
                }
            }
            Some(Ok(Value::Array(out)))
        })
    }

    /// A stream's batch mapped (`keep: false`) or filtered (`keep: true`) by `f` in parts on
    /// the host's workers: the rows the sequential loop gives, or the error of the first row it
    /// fails at (named by its index in the whole input: `offset` rows came before the batch).
    /// `Err(batch)` hands the batch back when it is too small to split or no worker is free for
    /// a part: the chain's source reads ahead on a worker of its own (and its sink writes on
    /// another), so only workers beyond the source's take parts — on two cores a batch is never
    /// split (splitting it there made the pipeline slower: its rows crossed to the other core's
    /// cache and back, and the parts waited on the source's and the sink's work; the figure is in
    /// docs/PERFORMANCE.md, "How a chain uses the cores").
    #[cfg(feature = "streams")]
    pub(in super::super) fn batch_in_parts(
        host: &SharedHost,
        f: &Arc<crate::expression::Expression>,
        keep: bool,
        batch: Vec<Value>,
        offset: usize,
        limits: crate::expression::Limits,
        signal: &crate::host::CancelToken,
    ) -> Result<Result<Vec<Value>, ExecutionError>, Vec<Value>> {
        let workers = host.parallelism().saturating_sub(1);
        if batch.len() < 2 * PART_ITEMS || workers < 2 {
            return Err(batch);
        }
        let size = batch.len().div_ceil(workers * 2).max(PART_ITEMS);
        let parts = batch.len().div_ceil(size);
        // Behind a lock rather than shared alone: a helper may hold its handle a moment after
        // its last part, and the kept rows are then still moved out (not copied) once every
        // part is done.
        let rows = Arc::new(std::sync::RwLock::new(batch));
        let (shared, f, signal) = (rows.clone(), f.clone(), signal.clone());
        let operation = if keep { "filter" } else { "map" };
        // A part gives its mapped rows, or the indexes (in the batch) of the rows it keeps.
        let part =
            Arc::new(move |index: usize| -> Result<(Vec<Value>, Vec<usize>), ExecutionError> {
                let shared = shared.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                let start = (index * size).min(shared.len());
                let chunk = &shared[start..(start + size).min(shared.len())];
                let calls = NodeBudget::new(limits, &signal);
                let (mut mapped, mut kept) = (Vec::new(), Vec::new());
                if !keep {
                    mapped.reserve(chunk.len());
                }
                for (i, item) in chunk.iter().enumerate() {
                    if i % ITEMS_PER_LOOK == 0 {
                        calls.stopped()?;
                    }
                    let fail = |e| item_error(TYPE, operation, offset + start + i, e);
                    if !keep {
                        let value =
                            f.call_in(&[item], &calls.limits, calls.output()).map_err(fail)?;
                        mapped.push(defined(value));
                    } else if f.test_in(&[item], &calls.limits, calls.checks()).map_err(fail)? {
                        kept.push(start + i);
                    }
                }
                Ok((mapped, kept))
            });
        let done = match in_parts(host, parts, part) {
            Ok(done) => done,
            Err(error) => return Ok(Err(error)),
        };
        if !keep {
            return Ok(Ok(done.into_iter().flat_map(|(mapped, _)| mapped).collect()));
        }
        // The kept rows, moved out of the batch: every part is done with it.
        let kept = done.into_iter().flat_map(|(_, kept)| kept);
        let mut rows =
            std::mem::take(&mut *rows.write().unwrap_or_else(std::sync::PoisonError::into_inner));
        Ok(Ok(kept.map(|i| std::mem::replace(&mut rows[i], Value::Null)).collect()))
    }

    /// `items` mapped by `function` in parts on the host's workers (see `parts_of_map`).
    pub(in super::super) fn map_in_parts(
        invocation: &Arc<Invocation>,
        host: &SharedHost,
        items: usize,
        function: &str,
        implicit: &'static [&'static str],
    ) -> Option<Result<Value, ExecutionError>> {
        let workers = host.parallelism();
        if items < PARALLEL_ITEMS || workers < 2 {
            return None;
        }
        let f = match compile_function(TYPE, function, implicit) {
            Ok(f) => f,
            Err(error) => return Some(Err(error)),
        };
        let limits = invocation.expression_limits;
        if let Some(result) = numbers_in_one_loop(invocation, &f, limits) {
            return Some(result);
        }
        let size = items.div_ceil(workers * 4).max(PART_ITEMS);
        let parts = items.div_ceil(size);
        let job = invocation.clone();
        let part = Arc::new(move |index: usize| -> Result<(Vec<Value>, usize), ExecutionError> {
            with_items(&job, |items| {
                let start = (index * size).min(items.len());
                let chunk = &items[start..(start + size).min(items.len())];
                let calls = NodeBudget::new(limits, &job.signal);
                let mut out = Vec::with_capacity(chunk.len());
                // Numbers under a body over one number go a block at a time through one tight
                // loop (the signal looked at between blocks); anything else, item by item.
                let mut done = 0;
                while done < chunk.len() {
                    calls.stopped()?;
                    let block = &chunk[done..(done + NUMBER_BLOCK).min(chunk.len())];
                    if !f.map_numbers(block, &calls.limits, calls.output(), &mut out) {
                        break;
                    }
                    done += block.len();
                }
                for (offset, item) in chunk.iter().enumerate().skip(done) {
                    let i = start + offset;
                    if i % ITEMS_PER_LOOK == 0 {
                        calls.stopped()?;
                    }
                    out.push(defined(
                        f.call_in(&[item], &calls.limits, calls.output())
                            .map_err(|e| item_error(TYPE, "map", i, e))?,
                    ));
                }
                Ok((out, limits.max_output_bytes - calls.output_left()))
            })
        });
        let mapped = match in_parts(host, parts, part) {
            Ok(mapped) => mapped,
            Err(error) => return Some(Err(error)),
        };
        // One bound for the node's whole output: past it, the sequential loop names the item.
        if mapped.iter().map(|(_, spent)| spent).sum::<usize>() > limits.max_output_bytes {
            return None;
        }
        let mut out = Vec::with_capacity(items);
        for (values, _) in mapped {
            out.extend(values);
        }
        Some(Ok(Value::Array(out)))
    }
}

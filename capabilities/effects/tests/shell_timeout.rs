//! `shell-command` with a `timeout`: that parameter bounds the process and, when the node sets
//! it, the attempt too. Whichever of the two timers fires first, a node that sets it fails with
//! the engine's TIMEOUT; a process cut by the default bound alone (the node sets none) is a
//! result with `timedOut: true`. The process runner here reports its own timeout at once — the
//! order a loaded machine sometimes gave, which made a native test flaky.

use std::sync::Arc;

use atomiton_core::host::effects::{EffectResult, ProcessOutput, ProcessRunner, ProcessSpec};
use atomiton_core::host::{BoxFuture, Capabilities, Host, SharedHost};
use atomiton_core::testing::VirtualHost;
use atomiton_core::{json, Engine, ErrorCode, ExecutionResult, NodeDefinition, RunOptions};

struct TimesOut {
    inner: VirtualHost,
}

impl ProcessRunner for TimesOut {
    fn run(&self, _: ProcessSpec) -> BoxFuture<'static, EffectResult<ProcessOutput>> {
        Box::pin(async {
            Ok(ProcessOutput {
                exit_code: None,
                stdout: Vec::new(),
                stderr: Vec::new(),
                timed_out: true,
                confined: false,
            })
        })
    }
}

impl Host for TimesOut {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    fn processes(&self) -> Option<&dyn ProcessRunner> {
        Some(self)
    }
}

fn run(node: NodeDefinition) -> ExecutionResult {
    let inner = VirtualHost::new();
    let host: SharedHost = Arc::new(TimesOut { inner: inner.clone() });
    inner.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(node, RunOptions::default(), host),
    )
}

fn sleep() -> NodeDefinition {
    NodeDefinition::new("sleep", "shell-command")
        .with_param("program", "sleep")
        .with_param("args", json!(["3600"]))
}

#[test]
fn a_timeout_the_node_sets_is_the_engines_timeout_whichever_timer_fires_first() {
    let result = run(sleep().with_param("timeout", 200).with_param("retries", 0));
    let error = result.error.expect("the run fails");
    assert_eq!(error.code, ErrorCode::TIMEOUT);
    assert_eq!(error.message, "Node execution timed out after 200ms");
}

#[test]
fn a_process_cut_by_the_default_bound_is_a_result_that_says_so() {
    let result = run(sleep());
    assert!(result.success, "{:?}", result.error);
    let data = result.data.expect("the node's output");
    assert_eq!((data["timedOut"].clone(), data["success"].clone()), (json!(true), json!(false)));
}

//! Every parameter a built-in node type declares changes what the node does: for each one, a
//! node is run twice on the native host (real files, processes, a loopback HTTP server) — once
//! as a base, once with only that parameter changed — and the two outcomes (output or error, and
//! the files left behind) must differ. A parameter with no case here fails the test, unless it
//! is listed in [`ELSEWHERE`] (its effect is tested by a named test that uses it) or in
//! [`NO_EFFECT`] (with the documented reason it cannot change the outcome). Parameters accepted
//! at one value only (`ParamKind::Only`) are refused at any other, which the validation tests
//! cover.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use atomiton_core::host::{BoxCallback, BoxFuture, Host, SharedHost};
use atomiton_core::nodes::schema::ParamKind;
use atomiton_core::value::{Map, Value};
use atomiton_core::{json, Engine, ErrorCode, NodeDefinition, RunOptions};
use atomiton_native_host::NativeHost;
use common::sandbox::{files_below, masked, sandbox};
use common::server::TestServer;
use common::{runtime, TempDir};

/// `(type, parameter, base parameters, the parameter's other value, the run's input)`. `{server}`
/// is the loopback server's address; `*` as the type is a node of the base's `type` key (for
/// the parameters every node has).
type Case = (&'static str, &'static str, &'static str, &'static str, &'static str);

const CASES: &[Case] = &[
    // Every node.
    (
        "*",
        "enabled",
        r#"{"type": "transform", "transformFunction": "x => x * 2", "data": [1]}"#,
        "false",
        "{}",
    ),
    // edit-fields
    ("edit-fields", "values", r#"{"values": {"a": 1}, "data": {"x": 1}}"#, r#"{"b": 2}"#, "{}"),
    ("edit-fields", "keepOnlySet", r#"{"values": {"a": 1}, "data": {"x": 1}}"#, "true", "{}"),
    ("edit-fields", "forEachItem", r#"{"values": {"a": 1}, "data": [{"x": 1}]}"#, "true", "{}"),
    ("edit-fields", "data", r#"{"values": {"a": 1}, "data": {"x": 1}}"#, r#"{"y": 2}"#, "{}"),
    // file-system
    (
        "file-system",
        "operation",
        r#"{"operation": "read", "path": "notes.txt"}"#,
        r#""exists""#,
        "{}",
    ),
    (
        "file-system",
        "path",
        r#"{"operation": "read", "path": "notes.txt"}"#,
        r#""people.csv""#,
        "{}",
    ),
    (
        "file-system",
        "content",
        r#"{"operation": "write", "path": "out/a.txt", "content": "one"}"#,
        r#""two""#,
        "{}",
    ),
    (
        "file-system",
        "format",
        r#"{"operation": "write", "path": "out/a.txt"}"#,
        r#""csv""#,
        r#"{"input": [{"a": 1}, {"a": 2}]}"#,
    ),
    ("file-system", "recursive", r#"{"operation": "list", "path": "."}"#, "true", "{}"),
    (
        "file-system",
        "targetPath",
        r#"{"operation": "copy", "path": "notes.txt", "targetPath": "out/a.txt"}"#,
        r#""out/b.txt""#,
        "{}",
    ),
    (
        "file-system",
        "overwrite",
        r#"{"operation": "write", "path": "notes.txt", "content": "new"}"#,
        "false",
        "{}",
    ),
    (
        "file-system",
        "createDirectories",
        r#"{"operation": "write", "path": "new/dir/a.txt", "content": "x"}"#,
        "false",
        "{}",
    ),
    ("file-system", "fullPaths", r#"{"operation": "list", "path": "photos"}"#, "false", "{}"),
    (
        "file-system",
        "encoding",
        r#"{"operation": "read", "path": "notes.txt"}"#,
        r#""buffer""#,
        "{}",
    ),
    // http-request
    ("http-request", "method", r#"{"url": "{server}/echo"}"#, r#""POST""#, "{}"),
    ("http-request", "url", r#"{"url": "{server}/echo"}"#, r#""{server}/users/1""#, "{}"),
    ("http-request", "headers", r#"{"url": "{server}/echo"}"#, r#"{"X-Test": "1"}"#, "{}"),
    ("http-request", "body", r#"{"method": "POST", "url": "{server}/echo"}"#, r#""hello""#, "{}"),
    (
        "http-request",
        "bodyFile",
        r#"{"method": "POST", "url": "{server}/echo"}"#,
        r#""notes.txt""#,
        "{}",
    ),
    ("http-request", "responseFile", r#"{"url": "{server}/users/1"}"#, r#""out/user.json""#, "{}"),
    ("http-request", "followRedirects", r#"{"url": "{server}/redirect"}"#, "false", "{}"),
    (
        "http-request",
        "auth",
        r#"{"url": "{server}/echo"}"#,
        r#"{"type": "bearer", "token": "t"}"#,
        "{}",
    ),
    ("http-request", "params", r#"{"url": "{server}/echo"}"#, r#"{"q": "1"}"#, "{}"),
    ("http-request", "maxResponseBytes", r#"{"url": "{server}/big?n=100"}"#, "10", "{}"),
    ("http-request", "responseType", r#"{"url": "{server}/users/1"}"#, r#""buffer""#, "{}"),
    (
        "http-request",
        "idempotencyKey",
        r#"{"method": "POST", "url": "{server}/echo"}"#,
        r#""order-7""#,
        "{}",
    ),
    // image (photos/red.png and photos/blue.png are 8×8; extra/split.png is red on the left,
    // blue on the right)
    (
        "image",
        "operation",
        r#"{"operation": "overlay", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        r#""composite""#,
        r#"{"overlayImage": "photos/blue.png"}"#,
    ),
    (
        "image",
        "images",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        r#"["photos/blue.png"]"#,
        "{}",
    ),
    (
        "image",
        "output",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        r#""out/j.png""#,
        "{}",
    ),
    (
        "image",
        "width",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        "4",
        "{}",
    ),
    (
        "image",
        "height",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        "4",
        "{}",
    ),
    (
        "image",
        "format",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.img"}"#,
        r#""jpeg""#,
        "{}",
    ),
    (
        "image",
        "quality",
        r#"{"operation": "composite", "images": ["extra/split.png"], "output": "out/i.jpeg", "format": "jpeg"}"#,
        "5",
        "{}",
    ),
    (
        "image",
        "fit",
        r#"{"operation": "composite", "images": ["extra/split.png"], "output": "out/i.png", "width": 2, "height": 2}"#,
        r#""inside""#,
        "{}",
    ),
    (
        "image",
        "position",
        r#"{"operation": "composite", "images": ["extra/split.png"], "output": "out/i.png", "width": 2, "height": 2, "position": "left"}"#,
        r#""right""#,
        "{}",
    ),
    (
        "image",
        "blendMode",
        r#"{"operation": "overlay", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        r#""multiply""#,
        r#"{"overlayImage": "photos/blue.png"}"#,
    ),
    (
        "image",
        "opacity",
        r#"{"operation": "overlay", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        "0.5",
        r#"{"overlayImage": "photos/blue.png"}"#,
    ),
    (
        "image",
        "blur",
        r#"{"operation": "composite", "images": ["extra/split.png"], "output": "out/i.png"}"#,
        "2",
        "{}",
    ),
    (
        "image",
        "sharpen",
        r#"{"operation": "composite", "images": ["extra/split.png"], "output": "out/i.png", "blur": 1}"#,
        "true",
        "{}",
    ),
    (
        "image",
        "grayscale",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png"}"#,
        "true",
        "{}",
    ),
    (
        "image",
        "dataPath",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/i.png", "dataPath": "red"}"#,
        r#""blue""#,
        r#"{"images": {"red": ["photos/red.png"], "blue": ["photos/blue.png"]}}"#,
    ),
    // loop
    (
        "loop",
        "loopType",
        r#"{"loopType": "times", "count": 3, "array": [1]}"#,
        r#""forEach""#,
        "{}",
    ),
    ("loop", "array", r#"{"loopType": "forEach", "array": ["a"]}"#, r#"["b"]"#, "{}"),
    ("loop", "count", r#"{"loopType": "times", "count": 3}"#, "2", "{}"),
    (
        "loop",
        "condition",
        r#"{"loopType": "while", "condition": "iteration < 2"}"#,
        r#""iteration < 3""#,
        "{}",
    ),
    ("loop", "collectResults", r#"{"loopType": "times", "count": 3}"#, "false", "{}"),
    ("loop", "maxIterations", r#"{"loopType": "while", "condition": "iteration < 5"}"#, "2", "{}"),
    (
        "loop",
        "dataPath",
        r#"{"loopType": "forEach", "dataPath": "a"}"#,
        r#""b""#,
        r#"{"array": {"a": [1], "b": [2, 3]}}"#,
    ),
    // parallel
    (
        "parallel",
        "strategy",
        r#"{"processFunction": "op => op.x.y", "operations": [{"x": {"y": 1}}, {}]}"#,
        r#""race""#,
        "{}",
    ),
    (
        "parallel",
        "failFast",
        r#"{"processFunction": "op => op.x.y", "operations": [{"x": {"y": 1}}, {}]}"#,
        "true",
        "{}",
    ),
    ("parallel", "processFunction", r#"{"operations": [1, 2]}"#, r#""op => op * 10""#, "{}"),
    (
        "parallel",
        "dataPath",
        r#"{"dataPath": "a"}"#,
        r#""b""#,
        r#"{"operations": {"a": [1], "b": [2]}}"#,
    ),
    ("parallel", "operations", r#"{"operations": [1]}"#, "[2]", "{}"),
    // shell-command
    ("shell-command", "program", r#"{"program": "echo", "args": ["hi"]}"#, r#""true""#, "{}"),
    ("shell-command", "args", r#"{"program": "echo", "args": ["hi"]}"#, r#"["bye"]"#, "{}"),
    ("shell-command", "stdin", r#"{"program": "cat"}"#, r#""piped""#, "{}"),
    ("shell-command", "captureOutput", r#"{"program": "echo", "args": ["hi"]}"#, "false", "{}"),
    ("shell-command", "workingDirectory", r#"{"program": "ls"}"#, r#""photos""#, "{}"),
    (
        "shell-command",
        "environment",
        r#"{"program": "printenv", "args": ["ATOMITON_PROBE"]}"#,
        r#"{"ATOMITON_PROBE": "set"}"#,
        "{}",
    ),
    ("shell-command", "maxOutputBytes", r#"{"program": "echo", "args": ["hi"]}"#, "1", "{}"),
    // spreadsheet
    ("spreadsheet", "path", r#"{"path": "people.csv"}"#, r#""notes.txt""#, "{}"),
    ("spreadsheet", "data", r#"{"data": "a,b\n1,2"}"#, r#""a,b\n3,4""#, "{}"),
    ("spreadsheet", "format", r#"{"path": "people.csv"}"#, r#""xlsx""#, "{}"),
    ("spreadsheet", "hasHeaders", r#"{"data": "a,b\n1,2"}"#, "false", "{}"),
    ("spreadsheet", "range", r#"{"path": "people.csv"}"#, r#""A1:A2""#, "{}"),
    ("spreadsheet", "delimiter", r#"{"data": "a;b\n1;2"}"#, r#"";""#, "{}"),
    ("spreadsheet", "skipEmptyLines", r#"{"data": "a,b\n1,2\n\n3,4"}"#, "false", "{}"),
    // transform
    ("transform", "operation", r#"{"data": [3, 1, 2]}"#, r#""reverse""#, "{}"),
    ("transform", "transformFunction", r#"{"data": [1, 2]}"#, r#""x => x * 2""#, "{}"),
    (
        "transform",
        "sortKey",
        r#"{"operation": "sort", "sortKey": "a", "data": [{"a": 2, "b": 1}, {"a": 1, "b": 2}]}"#,
        r#""b""#,
        "{}",
    ),
    (
        "transform",
        "sortDirection",
        r#"{"operation": "sort", "sortKey": "a", "data": [{"a": 2}, {"a": 1}]}"#,
        r#""desc""#,
        "{}",
    ),
    (
        "transform",
        "reduceInitial",
        r#"{"operation": "reduce", "transformFunction": "(acc, x) => acc + x", "reduceInitial": "0", "data": [1]}"#,
        r#""10""#,
        "{}",
    ),
    (
        "transform",
        "groupKey",
        r#"{"operation": "group", "groupKey": "a", "data": [{"a": 1, "b": 1}, {"a": 1, "b": 2}]}"#,
        r#""b""#,
        "{}",
    ),
    ("transform", "flattenDepth", r#"{"operation": "flatten", "data": [1, [2, [3]]]}"#, "2", "{}"),
    (
        "transform",
        "limitCount",
        r#"{"operation": "limit", "limitCount": 1, "data": [1, 2, 3]}"#,
        "2",
        "{}",
    ),
    (
        "transform",
        "skipCount",
        r#"{"operation": "skip", "skipCount": 0, "data": [1, 2, 3]}"#,
        "1",
        "{}",
    ),
    (
        "transform",
        "sliceStart",
        r#"{"operation": "slice", "sliceStart": 0, "data": [1, 2, 3]}"#,
        "1",
        "{}",
    ),
    (
        "transform",
        "sliceEnd",
        r#"{"operation": "slice", "sliceEnd": 2, "data": [1, 2, 3]}"#,
        "1",
        "{}",
    ),
    ("transform", "data", r#"{"data": [1]}"#, "[2]", "{}"),
    (
        "transform",
        "dataPath",
        r#"{"dataPath": "a"}"#,
        r#""b""#,
        r#"{"data": {"a": [1], "b": [2]}}"#,
    ),
];

/// `(type, parameter, file, test)`: parameters whose effect needs a clock or a graph, tested by
/// that test (which must name the parameter).
const ELSEWHERE: &[(&str, &str, &str, &str)] = &[
    (
        "*",
        "timeout",
        "core/tests/timing.rs",
        "attempt_timeout_fails_with_timeout_and_aborts_the_attempt",
    ),
    (
        "*",
        "retries",
        "core/tests/timing.rs",
        "retryable_failures_are_retried_with_exponential_backoff_and_jitter",
    ),
    (
        "*",
        "retryDelay",
        "core/tests/timing.rs",
        "a_nodes_retry_delay_is_the_base_of_its_own_backoff",
    ),
    (
        "*",
        "cache",
        "capabilities/cache/tests/cache.rs",
        "js_executors_are_cached_only_when_the_flow_or_the_run_opts_in",
    ),
    (
        "group",
        "parallel",
        "core/tests/timing.rs",
        "a_group_with_parallel_false_runs_its_children_one_at_a_time",
    ),
    ("spreadsheet", "sheetName", "bindings-node/host/tests/nodes.rs", "spreadsheet_files"),
    ("spreadsheet", "sheetIndex", "bindings-node/host/tests/nodes.rs", "spreadsheet_files"),
    (
        "parallel",
        "operationTimeout",
        "bindings-node/host/tests/parameter_effects.rs",
        "parallel_timeouts_bound_operations_and_the_node",
    ),
    (
        "parallel",
        "globalTimeout",
        "bindings-node/host/tests/parameter_effects.rs",
        "parallel_timeouts_bound_operations_and_the_node",
    ),
    // A wait parks a durable run: its effects show across a park and a wake (core/tests/waits.rs).
    ("wait", "mode", WAITS, "a_run_parks_at_a_signal_and_the_signal_s_payload_is_the_node_s_output"),
    ("wait", "signal", WAITS, "a_run_parks_at_a_signal_and_the_signal_s_payload_is_the_node_s_output"),
    ("wait", "payloadSchema", WAITS, "a_run_parks_at_a_signal_and_the_signal_s_payload_is_the_node_s_output"),
    ("wait", "duration", WAITS, "a_timed_wait_fires_once_when_its_time_comes_and_a_timeout_takes_its_declared_outcome"),
    ("wait", "waitTimeout", WAITS, "a_timed_wait_fires_once_when_its_time_comes_and_a_timeout_takes_its_declared_outcome"),
    ("wait", "onTimeout", WAITS, "a_timed_wait_fires_once_when_its_time_comes_and_a_timeout_takes_its_declared_outcome"),
    ("wait", "onReject", WAITS, "an_approval_goes_on_a_rejection_fails_or_goes_on_as_the_node_says_and_one_of_two_racing_wins"),
    ("wait", "until", WAITS, "a_wait_until_a_date_wakes_at_that_date"),
    ("python", "code", PYTHON, "the_nodes_timeout_ends_a_function_that_never_returns"),
    ("python", "module", PYTHON, "a_module_file_relative_to_the_working_directory"),
    ("python", "function", PYTHON, "a_module_file_relative_to_the_working_directory"),
    ("python", "data", PYTHON, "a_module_file_relative_to_the_working_directory"),
    ("python", "arguments", PYTHON, "a_module_file_relative_to_the_working_directory"),
    // A database node's parameters say what SQL its client runs: the statements test checks
    // what is handed over, the npm suite runs it against real servers.
    ("database", "credential", DATABASE, "credentials_missing_of_another_type_or_not_granted_are_refused_before_any_work"),
    ("database", "operation", DATABASE, "inserts_are_batched_into_one_transaction_with_postgres_placeholders"),
    ("database", "table", DATABASE, "inserts_are_batched_into_one_transaction_with_postgres_placeholders"),
    ("database", "query", DATABASE, "queries_bind_what_expressions_compute_per_item_and_rows_become_objects"),
    ("database", "parameters", DATABASE, "queries_bind_what_expressions_compute_per_item_and_rows_become_objects"),
    ("database", "mode", DATABASE, "queries_bind_what_expressions_compute_per_item_and_rows_become_objects"),
    ("database", "conflict", DATABASE, "upserts_per_dialect"),
    ("database", "columns", DATABASE, "columns_and_rows_choose_what_is_written"),
    ("database", "rows", DATABASE, "columns_and_rows_choose_what_is_written"),
    ("database", "batchSize", DATABASE, "a_statement_binds_no_more_values_than_the_database_takes"),
    ("database", "maxRows", DATABASE, "the_limits_go_to_the_client_with_the_work"),
    ("database", "maxBytes", DATABASE, "the_limits_go_to_the_client_with_the_work"),
    ("database", "statementTimeout", DATABASE, "the_limits_go_to_the_client_with_the_work"),
    // An llm node's parameters say what it sends the model server and how it reads the answer:
    // the calls test checks both against a scripted server, the npm suite against a real model.
    ("llm", "credential", LLM, "failures_keep_their_codes_and_never_show_the_key"),
    ("llm", "model", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "system", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "prompt", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "messages", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "temperature", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "maxTokens", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "requestTimeout", LLM, "messages_are_written_from_templates_and_sent_with_the_options"),
    ("llm", "stream", LLM, "a_streamed_answer_is_read_in_pieces"),
    ("llm", "responseFormat", LLM, "a_json_answer_without_a_schema_is_parsed"),
    ("llm", "schema", LLM, "an_answer_off_the_schema_is_asked_for_again_with_what_was_wrong"),
    ("llm", "schemaAttempts", LLM, "answers_that_never_match_fail_after_the_attempts_given"),
    ("llm", "maxRetries", LLM, "failures_keep_their_codes_and_never_show_the_key"),
    ("llm", "tools", LLM, "a_tool_call_runs_its_flow_and_the_model_reads_what_it_gave"),
    ("llm", "toolChoice", LLM, "a_forced_tool_streams_its_call_and_later_answers_are_free"),
    ("llm", "maxToolSteps", LLM, "a_failing_tool_tells_the_model_and_rounds_are_bounded"),
    ("llm", "tokenBudget", LLM, "the_token_budget_stops_asking"),
    // An email node's parameters say what message its SMTP client is handed: the mail test
    // checks what is handed over, the npm suite what a real server receives.
    ("email", "credential", EMAIL, "the_sender_defaults_to_the_credentials_and_the_port_to_the_security"),
    ("email", "from", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "to", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "cc", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "bcc", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "replyTo", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "subject", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "text", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "html", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "sendTimeout", EMAIL, "messages_are_written_from_templates_and_parameters"),
    ("email", "attachments", EMAIL, "attachments_come_from_the_input"),
    ("email", "idempotencyKey", EMAIL, "a_key_sends_once_and_makes_the_message_id"),
    // The flow language's nodes act on the graph around them: what runs after them, and how often.
    ("if", "condition", FLOWS, "if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick"),
    ("switch", "cases", FLOWS, "if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick"),
    ("switch", "value", FLOWS, "if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick"),
    ("switch", "default", FLOWS, "if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick"),
    ("switch", "mode", FLOWS, "if_and_switch_send_their_input_out_of_the_ports_their_parameters_pick"),
    ("merge", "mode", FLOWS, "merge_modes_join_what_arrived_and_combine_by_a_key"),
    ("merge", "key", FLOWS, "merge_modes_join_what_arrived_and_combine_by_a_key"),
    ("for-each", "items", FLOWS, "for_each_takes_its_input_list_and_nests"),
    ("for-each", "concurrency", FLOWS, "for_each_items_run_concurrency_at_a_time"),
    ("for-each", "batchSize", FLOWS, "for_each_batches_give_the_body_lists"),
    ("sub-flow", "flowId", FLOWS, "a_missing_sub_flow_a_cycle_of_calls_and_a_broken_called_flow_are_refused_before_anything_runs"),
    ("sub-flow", "input", FLOWS, "a_sub_flow_takes_its_input_parameter_in_place_of_its_input"),
    ("*", "onError", FLOWS, "on_error_continue_and_route_come_after_the_retries"),
    // A schedule's parameters say when its flow fires, not what the node outputs.
    ("schedule", "cron", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    ("schedule", "timezone", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    ("schedule", "every", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    ("schedule", "startAt", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    ("schedule", "misfire", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    ("schedule", "maxCatchUp", SCHEDULES, "a_schedule_nodes_parameters_decide_its_fires"),
    // A file watch's parameters say which files start its flow.
    ("file-watch", "path", FILE_WATCHES, "a_recursive_watch_sees_folders_below_and_its_patterns_match_paths_relative_to_the_folder"),
    ("file-watch", "patterns", FILE_WATCHES, "a_recursive_watch_sees_folders_below_and_its_patterns_match_paths_relative_to_the_folder"),
    ("file-watch", "recursive", FILE_WATCHES, "a_recursive_watch_sees_folders_below_and_its_patterns_match_paths_relative_to_the_folder"),
    ("file-watch", "debounce", FILE_WATCHES, "a_recursive_watch_sees_folders_below_and_its_patterns_match_paths_relative_to_the_folder"),
    ("file-watch", "events", FILE_WATCHES, "a_file_written_in_parts_fires_once_complete_and_changes_and_deletions_fire_as_such"),
    // A webhook's parameters say which requests start its flow and how they are answered.
    ("webhook", "path", WEBHOOKS, "each_authentication_mode_accepts_the_right_caller_and_refuses_the_wrong_one"),
    ("webhook", "auth", WEBHOOKS, "each_authentication_mode_accepts_the_right_caller_and_refuses_the_wrong_one"),
    ("webhook", "secretEnv", WEBHOOKS, "each_authentication_mode_accepts_the_right_caller_and_refuses_the_wrong_one"),
    ("webhook", "tolerance", WEBHOOKS, "each_authentication_mode_accepts_the_right_caller_and_refuses_the_wrong_one"),
    ("webhook", "methods", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "header", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "timestampHeader", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "respond", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "responseNode", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "responseTimeout", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "maxBytes", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "runsPerMinute", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
    ("webhook", "concurrentRuns", WEBHOOKS, "a_hooks_own_headers_limits_and_response_are_what_its_requests_get"),
];

const SCHEDULES: &str = "capabilities/triggers/tests/schedule.rs";

const WEBHOOKS: &str = "capabilities/triggers/tests/webhook.rs";

const FILE_WATCHES: &str = "bindings-node/host/tests/file_watch.rs";

const FLOWS: &str = "core/tests/flow_language.rs";

const WAITS: &str = "core/tests/waits.rs";
// A Python interpreter's workers are the host's to give: these run where they are.
const PYTHON: &str = "bindings-node/host/tests/python_nodes.rs";
/// The database node's statements, against a client that records them.
const DATABASE: &str = "capabilities/database/tests/statements.rs";
/// The `llm` node's calls.
const LLM: &str = "capabilities/llm/tests/calls.rs";
const EMAIL: &str = "capabilities/email/tests/mail.rs";

/// `(type, parameter, why no value of it can change the outcome)`: each also said in the
/// parameter's documentation (docs/nodes.md).
const NO_EFFECT: &[(&str, &str, &str)] = &[
    ("*", "label", "a name for editors"),
    ("*", "description", "a note for editors"),
    ("group", "timeout", "bounds only an empty group, which does nothing to bound"),
    ("group", "retries", "retries only an empty group, which cannot fail"),
    ("parallel", "concurrency", "operations are expressions computed one after another"),
    ("parallel", "maintainOrder", "operations finish in input order"),
];

/// Parameters every node has (the engine reads them, not the node).
const ENGINE_PARAMETERS: &[&str] =
    &["enabled", "timeout", "retries", "retryDelay", "cache", "onError", "label", "description"];

/// What a run gave, as text: the output or the error (masked as the node reference masks it),
/// then every file left in its working directory.
fn outcome(
    rt: &tokio::runtime::Runtime,
    server: &str,
    node: NodeDefinition,
    input: &str,
) -> (String, Option<ErrorCode>) {
    let dir = TempDir::new("parameter-effects");
    sandbox(dir.path());
    split_image(&dir.path().join("extra"));
    let host = NativeHost::new(rt.handle().clone())
        .with_working_dir(dir.path().to_path_buf())
        .into_shared();
    let input: Value = serde_json::from_str(input).expect("a case's input is JSON");
    let result = rt.block_on(
        Engine::with_registry(atomiton_effects::registry(), atomiton_core::EngineConfig::default())
            .run(node, RunOptions { input: Some(input), ..Default::default() }, host),
    );
    let code = result.error.as_ref().map(|e| e.code);
    let shown = match (result.data, result.error) {
        (_, Some(error)) => {
            json!({"error": {"code": error.code.as_str(), "message": error.message}})
        }
        (data, None) => data.unwrap_or(Value::Null),
    };
    let place = dir.path().to_string_lossy().into_owned();
    let shown = masked(masked(shown, server), &place);
    let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
    (format!("{text}\nfiles:\n{}", files_below(dir.path()).join("\n")), code)
}

/// `extra/split.png`: 8×4, red on the left half and blue on the right, so where a crop is taken
/// from, a blur and a sharpen show in its pixels.
fn split_image(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("extra/");
    let image = image::RgbaImage::from_fn(8, 4, |x, _| {
        if x < 4 {
            image::Rgba([255, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 255, 255])
        }
    });
    image.save(dir.join("split.png")).expect("split.png");
}

/// A node of `node_type` (for `*`, the `type` key of `parameters`) with `parameters`, and
/// `parameter` set to `value` when one is given.
fn node_of(
    node_type: &str,
    parameters: &str,
    server: &str,
    change: Option<(&str, &str)>,
) -> NodeDefinition {
    let mut parameters: Map = serde_json::from_str(&parameters.replace("{server}", server))
        .expect("a case's parameters are JSON");
    let node_type = match parameters.shift_remove("type") {
        Some(Value::String(named)) if node_type == "*" => named.to_string(),
        _ => node_type.to_owned(),
    };
    if let Some((name, value)) = change {
        let value: Value = serde_json::from_str(&value.replace("{server}", server))
            .expect("a case's value is JSON");
        parameters.insert(name.to_owned(), value);
    }
    parameters.into_iter().fold(NodeDefinition::new("n", &node_type), |node, (key, value)| {
        node.with_param(&key, value)
    })
}

fn refused(code: Option<ErrorCode>) -> bool {
    matches!(code, Some(ErrorCode::VALIDATION_FAILED | ErrorCode::INVALID_PARAMETERS))
}

#[test]
fn every_parameter_changes_what_its_node_does() {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let address = server.url("");
    let mut same = Vec::new();
    for &(node_type, parameter, base, value, input) in CASES {
        let (before, before_code) =
            outcome(&rt, &address, node_of(node_type, base, &address, None), input);
        let changed = node_of(node_type, base, &address, Some((parameter, value)));
        let (after, after_code) = outcome(&rt, &address, changed, input);
        // A value refused before the run would differ for the wrong reason.
        assert!(
            !refused(before_code) && !refused(after_code),
            "{node_type}.{parameter}: a case must run, not be refused:\n{before}\n---\n{after}"
        );
        if before == after {
            same.push(format!("{node_type}.{parameter} = {value}:\n{after}"));
        }
    }
    assert!(same.is_empty(), "parameters that changed nothing:\n{}", same.join("\n\n"));
}

#[test]
fn every_declared_parameter_has_a_case_or_a_reason() {
    let registry = atomiton_catalog::catalog_registry();
    let listed = |node_type: &str, name: &str| {
        CASES.iter().any(|c| (c.0, c.1) == (node_type, name))
            || ELSEWHERE.iter().any(|e| (e.0, e.1) == (node_type, name))
            || NO_EFFECT.iter().any(|e| (e.0, e.1) == (node_type, name))
    };
    let mut missing = Vec::new();
    for name in ENGINE_PARAMETERS {
        if !listed("*", name) {
            missing.push(format!("*.{name}"));
        }
    }
    for node_type in registry.names() {
        let Some(schema) = registry.get(node_type).and_then(|t| t.schema().cloned()) else {
            continue;
        };
        for spec in &schema.params {
            let own = !ENGINE_PARAMETERS.contains(&spec.name) || node_type == "group";
            if own && !matches!(spec.kind, ParamKind::Only { .. }) && !listed(node_type, spec.name)
            {
                missing.push(format!("{node_type}.{}", spec.name));
            }
        }
    }
    assert!(missing.is_empty(), "parameters with no case, test or reason: {missing:?}");
    // A test named for a parameter must exist and use it.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for &(node_type, name, file, test) in ELSEWHERE {
        let source = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        let body = source.split(&format!("fn {test}(")).nth(1).unwrap_or("");
        let body = body.split("\n}\n").next().unwrap_or("");
        assert!(
            body.contains(&format!("\"{name}\"")),
            "{node_type}.{name}: {file} has no test {test} that sets it"
        );
    }
}

/// The real host with a clock that moves on 1.5 s each time it is read: every operation of a
/// `parallel` node then takes longer than the shortest `operationTimeout` (1 s), whatever the
/// machine's speed.
struct JumpingClock {
    inner: SharedHost,
    reads: AtomicU64,
}

impl Host for JumpingClock {
    fn now(&self) -> f64 {
        self.inner.now() + 1500.0 * self.reads.fetch_add(1, Ordering::SeqCst) as f64
    }
    fn sleep(&self, ms: f64) -> BoxFuture<'static, ()> {
        self.inner.sleep(ms)
    }
    fn random(&self) -> f64 {
        self.inner.random()
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        self.inner.spawn(task)
    }
    fn run_blocking(&self, job: BoxCallback) {
        self.inner.run_blocking(job)
    }
    fn has_workers(&self) -> bool {
        self.inner.has_workers()
    }
    fn parallelism(&self) -> usize {
        self.inner.parallelism()
    }
}

#[test]
fn parallel_timeouts_bound_operations_and_the_node() {
    let rt = runtime();
    let run = |parameters: Value| {
        let host: SharedHost = Arc::new(JumpingClock {
            inner: NativeHost::new(rt.handle().clone()).into_shared(),
            reads: AtomicU64::new(0),
        });
        let Value::Object(parameters) = parameters else { unreachable!("an object") };
        let node = parameters
            .into_iter()
            .fold(NodeDefinition::new("p", "parallel"), |n, (k, v)| n.with_param(&k, v));
        rt.block_on(
            Engine::with_registry(
                atomiton_effects::registry(),
                atomiton_core::EngineConfig::default(),
            )
            .run(node, RunOptions::default(), host),
        )
    };
    let operations = json!([1, 2, 3]);
    let roomy = run(
        json!({"operations": operations, "operationTimeout": 300_000, "globalTimeout": 600_000}),
    );
    assert!(roomy.success, "{:?}", roomy.error);
    assert_eq!(roomy.data.as_ref().map(|d| d["failed"].clone()), Some(json!(0)));

    let per_operation =
        run(json!({"operations": operations, "operationTimeout": 1000, "globalTimeout": 600_000}));
    let data = per_operation.data.unwrap_or(Value::Null);
    assert_eq!(data["failed"], json!(3), "{data:?}");
    assert_eq!(data["results"][0]["error"], json!("Operation 0 timed out after 1000ms"));

    let global =
        run(json!({"operations": operations, "operationTimeout": 300_000, "globalTimeout": 5000}));
    let error = global.error.expect("the node fails");
    assert_eq!(
        (error.code, error.message.as_str()),
        (ErrorCode::TIMEOUT, "[parallel] Global timeout exceeded (5000ms)")
    );
}

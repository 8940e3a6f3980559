//! The `python` and `processes` sections: read by their owners when a session's engine is made,
//! refused with a coded error naming the field, and refused, saying where they run, by an engine
//! made without their owners (the browser's modules).

use atomiton_core::session::{SessionCapability, SessionConfig};
use atomiton_core::ErrorCode;
use atomiton_processes::{ProcessConfig, Processes, Python, PythonConfig};

const BOTH: &[&dyn SessionCapability] = &[&Python, &Processes];

fn config(text: &str) -> SessionConfig {
    SessionConfig::from_json(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn the_owners_read_their_sections_over_the_defaults() {
    let config = config(
        r#"{"python": {"interpreter": "python3.12", "workers": 3},
            "processes": {"memoryLimit": 1048576, "allowUnconfined": true}}"#,
    );
    config.new_engine(BOTH).expect("accepted");
    let python = PythonConfig::of(&config).expect("python");
    assert_eq!(python.interpreter.as_deref(), Some("python3.12"));
    assert_eq!(python.workers, Some(3));
    let limits = ProcessConfig::of(&config).expect("processes");
    assert_eq!(limits.memory_limit, Some(1_048_576));
    assert_eq!(limits.max_processes, None);
    assert_eq!(limits.allow_unconfined, Some(true));
    let none = self::config("{}");
    assert_eq!(PythonConfig::of(&none).expect("defaults").workers, None);
    assert_eq!(ProcessConfig::of(&none).expect("defaults").memory_limit, None);
}

#[test]
fn what_a_section_cannot_mean_is_refused_naming_it() {
    for (text, says) in [
        (
            r#"{"python": {"workers": 0}}"#,
            "'python.workers' must be a whole number of at least 1, not 0",
        ),
        (
            r#"{"python": {"interpreter": "python3", "virtualenv": "/venv"}}"#,
            "'python.interpreter' must be absent with python.virtualenv",
        ),
        (
            r#"{"python": {"interpeter": "x"}}"#,
            "unknown option 'interpeter' (did you mean 'interpreter'?)",
        ),
        (
            r#"{"processes": {"maxProcesses": 0}}"#,
            "'processes.maxProcesses' must be a whole number of at least 1",
        ),
        (r#"{"processes": {"memoryLimit": "2G"}}"#, "invalid type: string \"2G\""),
        (
            r#"{"processes": {"cpuTime": 5}}"#,
            "unknown option 'cpuTime' (did you mean 'cpuTimeLimit'?)",
        ),
    ] {
        let error =
            config(text).new_engine(BOTH).err().unwrap_or_else(|| panic!("{text} accepted"));
        assert_eq!(error.code, ErrorCode::VALIDATION_FAILED, "{text}");
        assert!(error.message.starts_with("Invalid conductor config: "), "{}", error.message);
        assert!(error.message.contains(says), "{text}: {}", error.message);
    }
}

#[test]
fn an_engine_without_the_owners_refuses_the_sections_saying_where_they_run() {
    let refused = config(r#"{"python": {"workers": 2}}"#).new_engine(&[&Processes]).err();
    let error = refused.expect("python refused without its owner");
    assert_eq!(error.code, ErrorCode::VALIDATION_FAILED);
    assert!(error.message.contains("the WebAssembly engine runs no Python"), "{}", error.message);
    let refused = config(r#"{"processes": {"maxProcesses": 4}}"#).new_engine(&[]).err();
    let error = refused.expect("processes refused without its owner");
    assert!(error.message.contains("'processes' is not in this build"), "{}", error.message);
    // An empty section asks for nothing.
    config(r#"{"python": {}, "processes": {}}"#).new_engine(&[]).expect("empty sections");
}

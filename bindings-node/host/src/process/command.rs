//! Building the `Command` from a spec, and spawn errors.

use std::process::Stdio;

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult, ProcessSpec};
use tokio::process::Command;

/// Removed from every child's environment whatever the spec says: they make the dynamic loader
/// inject code into the child (the TypeScript engine removed them too).
pub(super) const ALWAYS_REMOVED: [&str; 4] =
    ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_LIBRARY_PATH"];

fn other(message: String) -> EffectError {
    EffectError::new(EffectErrorKind::Other, message)
}

/// The command for `spec`, or a clear error for input the OS would reject less clearly.
pub(crate) fn build(spec: &ProcessSpec) -> EffectResult<Command> {
    if spec.program.is_empty() {
        return Err(other(atomiton_core::error::messages::NO_PROGRAM.to_owned()));
    }
    let mut command = Command::new(&spec.program);
    command.args(&spec.args);

    if let Some(cwd) = &spec.cwd {
        // Checked here because a missing cwd makes spawn fail with the same ENOENT as a missing
        // program, and the message would blame the program.
        match std::fs::metadata(cwd) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(other(format!(
                    "Invalid or inaccessible working directory: {cwd} (not a directory)"
                )))
            }
            Err(error) => {
                let kind = match error.kind() {
                    std::io::ErrorKind::NotFound => EffectErrorKind::NotFound,
                    std::io::ErrorKind::PermissionDenied => EffectErrorKind::PermissionDenied,
                    _ => EffectErrorKind::Other,
                };
                return Err(EffectError::new(
                    kind,
                    format!("Invalid or inaccessible working directory: {cwd} ({error})"),
                ));
            }
        }
        command.current_dir(cwd);
    }

    for (name, value) in &spec.env {
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(other(format!("Invalid environment variable name: {name:?}")));
        }
        if value.contains('\0') {
            return Err(other(format!(
                "Invalid value for environment variable {name}: contains a NUL character"
            )));
        }
        command.env(name, value);
    }
    // After `env`, so removal wins over a spec that sets one of these.
    for name in spec.env_remove.iter().map(String::as_str).chain(ALWAYS_REMOVED) {
        command.env_remove(name);
    }

    command.stdin(if spec.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let output = || if spec.capture_output { Stdio::piped() } else { Stdio::null() };
    command.stdout(output()).stderr(output());
    // If the run's future is dropped, the child must not outlive it (a supervised child is
    // ended through its supervisor instead: see `confine.rs`).
    command.kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    Ok(command)
}

/// A failed spawn, with Node's message shape (`spawn <program> ENOENT`) where Node has one.
pub(crate) fn spawn_error(program: &str, error: &std::io::Error) -> EffectError {
    match error.kind() {
        std::io::ErrorKind::NotFound => {
            EffectError::new(EffectErrorKind::NotFound, format!("spawn {program} ENOENT"))
        }
        std::io::ErrorKind::PermissionDenied => {
            EffectError::new(EffectErrorKind::PermissionDenied, format!("spawn {program} EACCES"))
        }
        _ => other(format!("spawn {program} failed: {error}")),
    }
}

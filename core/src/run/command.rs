//! The requests a debugger sends a run from outside it, by name (`controlRun`).

/// What a debugger asks of a run (`RunControl::apply` in builds with `debugger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCommand {
    Pause,
    Resume,
    Step,
}

impl RunCommand {
    /// `"pause" | "resume" | "step"`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pause" => Some(RunCommand::Pause),
            "resume" => Some(RunCommand::Resume),
            "step" => Some(RunCommand::Step),
            _ => None,
        }
    }
}

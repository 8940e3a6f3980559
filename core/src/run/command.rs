//! Calls a boundary method takes by name — the requests a debugger sends a run (`controlRun`),
//! and the sub-commands of `executions` and `cache` — each declared once as an enum with its
//! wire names ([`named_calls!`](crate::named_calls)): the session parses them, and the
//! TypeScript union types are generated from the same lists.

/// Declares an enum of calls and the names they cross the boundary by.
#[doc(hidden)]
#[macro_export]
macro_rules! named_calls {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $wire:literal $(-> $answer:ty)?),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant),+
        }

        impl $name {
            /// Every call's name, in declaration order (the generated TypeScript union).
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The call named `name`; `None` for any other text.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// Each call's name and the TypeScript of what it answers (inside the outcome
            /// envelope), for the calls that declare one.
            #[cfg(test)]
            pub(crate) fn answers(config: &ts_rs::Config) -> Vec<(&'static str, String)> {
                // Read only by the calls that declare an answer.
                let _ = config;
                vec![$($(($wire, <$answer as ts_rs::TS>::name(config)),)?)+]
            }

            /// The call's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }

            /// The call named `name`, or a validation error naming the `what` calls there are
            /// (`Unknown cache call 'x': clear, invalidate or stats`).
            pub fn parse_or_refuse(name: &str, what: &str) -> Result<Self, $crate::ExecutionError> {
                Self::parse(name).ok_or_else(|| {
                    let listed = match Self::NAMES.split_last() {
                        Some((last, [])) => (*last).to_owned(),
                        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                        None => String::new(),
                    };
                    let given: String = name.chars().take(40).collect();
                    $crate::ExecutionError::validation(format!(
                        "Unknown {what} call '{given}': {listed}"
                    ))
                })
            }
        }
    };
}

crate::named_calls! {
    /// What a debugger asks of a run (`RunControl::apply`).
    RunCommand {
        /// Pause at the next node boundary.
        Pause = "pause",
        /// Go on as normal (until the next breakpoint).
        Resume = "resume",
        /// Start one node, then pause again.
        Step = "step",
    }
}

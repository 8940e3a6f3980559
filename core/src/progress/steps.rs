//! Per-node progress animation steps by weight (the TypeScript engine `generateProgressSteps`).

/// `(percent, message)` steps shown while a node runs with slowMo, before `100 "Complete"`.
pub fn progress_steps(weight: u32) -> &'static [(u8, &'static str)] {
    const LIGHT: &[(u8, &str)] =
        &[(0, "Starting..."), (30, "Processing..."), (70, "Finalizing..."), (90, "Almost done...")];
    const HEAVY: &[(u8, &str)] = &[
        (0, "Starting..."),
        (15, "Initializing..."),
        (30, "Loading..."),
        (45, "Processing..."),
        (60, "Computing..."),
        (75, "Finalizing..."),
        (90, "Almost done..."),
    ];
    const NORMAL: &[(u8, &str)] = &[
        (0, "Starting..."),
        (20, "Initializing..."),
        (40, "Processing..."),
        (60, "Computing..."),
        (80, "Finalizing..."),
        (90, "Almost done..."),
    ];
    if weight < 100 {
        LIGHT
    } else if weight > 300 {
        HEAVY
    } else {
        NORMAL
    }
}

/// The message of a completed node.
pub const COMPLETE_MESSAGE: &str = "Complete";

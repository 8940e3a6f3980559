//! Which data model a flow takes, by its `version`.
//!
//! A flow without a version, or with a 0.x or 1.x one, keeps the TypeScript engine's model: an
//! edge carries its source's whole output, and `sourceHandle` is not read. A flow whose version
//! is 2 or later (`"2"`, `"2.0.0"`, `"3.1"`) takes ports: an edge's `sourceHandle` selects one of
//! its source's output ports, and a node type's declared ports are what edges may name.

/// A flow's data model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowFormat {
    /// Version absent, 0.x or 1.x: edges carry whole outputs.
    #[default]
    Whole,
    /// Version 2 or later: edges select ports.
    Ports,
}

impl FlowFormat {
    /// The model of a flow whose `version` is `version` (its major number, the digits before
    /// the first `.`; anything that is not a number is the old model).
    pub fn of(version: Option<&str>) -> FlowFormat {
        let major = version
            .map(|v| v.trim().trim_start_matches(['v', 'V']))
            .and_then(|v| v.split('.').next())
            .and_then(|major| major.parse::<u64>().ok());
        match major {
            Some(major) if major >= 2 => FlowFormat::Ports,
            _ => FlowFormat::Whole,
        }
    }

    /// Whether edges select ports.
    pub fn takes_ports(self) -> bool {
        self == FlowFormat::Ports
    }
}

#[cfg(test)]
mod tests {
    use super::FlowFormat;

    #[test]
    fn version_two_or_later_takes_ports() {
        for (version, format) in [
            (None, FlowFormat::Whole),
            (Some("1.0.0"), FlowFormat::Whole),
            (Some("0.9.0"), FlowFormat::Whole),
            (Some("1"), FlowFormat::Whole),
            (Some("beta"), FlowFormat::Whole),
            (Some(""), FlowFormat::Whole),
            (Some("2"), FlowFormat::Ports),
            (Some("2.0.0"), FlowFormat::Ports),
            (Some("v2"), FlowFormat::Ports),
            (Some("10.1"), FlowFormat::Ports),
        ] {
            assert_eq!(FlowFormat::of(version), format, "{version:?}");
        }
    }
}

//! `schedule` parameters, UI fields, ports and catalog entry. Their types and allowed values are
//! checked here; the rules between them and the pattern and zone themselves are checked by the
//! trigger capability (`atomiton-triggers`), which parses them with croner and jiff.

use std::sync::LazyLock;

use crate::json;
use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{NodeSchema, ParamKind, ParamSpec};
use crate::value::Map;

pub(super) static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("cron", ParamKind::text_min(1))
            .optional()
            .describe("When it fires, as a cron pattern: 5 fields, or 6 with seconds first")
            .note(
                "`L` (last day; `5L` last Friday), `#` (`1#2` second Monday), `W` (nearest \
                 weekday), names (`MON`, `JAN`) and aliases (`@daily`, `@hourly`). Give `cron` \
                 or `every`, not both",
            ),
        ParamSpec::new("timezone", ParamKind::text_min(1))
            .optional()
            .describe("The IANA time zone the pattern is read in (default UTC), e.g. Europe/Berlin")
            .note(
                "Daylight saving: a fixed time in a skipped hour fires at the first instant after \
                 the gap, in a repeated hour once (the first); a pattern with a wildcard or step \
                 keeps its rhythm in real time",
            ),
        ParamSpec::new("every", ParamKind::Any)
            .optional()
            .describe("Or: an interval, in milliseconds or as text (\"30s\", \"5m\", \"1h\", \"1d\"); at least 1s"),
        ParamSpec::new("startAt", ParamKind::number())
            .optional()
            .describe("With every: the instant intervals count from (ms since the Unix epoch; default the activation)"),
        ParamSpec::new("misfire", ParamKind::Enum(&["skip", "coalesce", "all"]))
            .default(|| json!("skip"))
            .describe("Fires missed by more than a minute (the process was down, the trigger paused)")
            .note(
                "skip: they do not run (recorded as skipped); coalesce: one run for the latest; \
                 all: each runs, oldest first, up to maxCatchUp",
            ),
        ParamSpec::new("maxCatchUp", ParamKind::whole_range(1.0, 100_000.0))
            .optional()
            .describe("With misfire all: how many missed fires run at most (default 100)"),
    ])
    // A run a fire started has the fire as its input's `trigger`.
    .reads_inputs(&["trigger"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("cron".to_owned(), json!("0 9 * * 1-5")),
        ("timezone".to_owned(), json!("UTC")),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: super::SCHEDULE_TYPE,
    name: "Schedule",
    description: "Start the flow on a cron pattern in a time zone, or at an interval: each fire starts one run, across every process sharing the store",
    category: "system",
    icon: "zap",
    keywords: &["schedule", "cron", "timer", "interval", "every", "trigger"],
    // The node runs anywhere (run by hand, it gives a fire of now); what fires it is the
    // engine's trigger stores (`atomiton-triggers`).
    environment: Environment::Everywhere,
    parameters,
    input_ports: &[PortSpec::input("trigger", "Fire", "object")
        .describe("The fire that started the run (a run's input `trigger`): its output")],
    output_ports: &[PortSpec::output("fire", "Fire", "object").describe("The fire: when it was due and when its run started")],
};

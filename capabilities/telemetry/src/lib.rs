//! Traced runs for the Atomiton Conductor engine: a run whose options say `telemetry` gets one
//! span record per node that started — the engine's own start and end times, its attempts with
//! the code of each failed one, its error code, an `http-request`'s last HTTP status — in its
//! result's `spans`, and its `http-request` nodes send W3C trace context naming their span.
//!
//! A capability of its own: the engine owns the traits ([`RunTracing`], [`RunTracer`] and
//! [`SessionCapability`]), this crate implements them ([`Telemetry`]), and the bindings built
//! with traced runs (the native addon, the Node fallback, the browser's editor module) pass it to
//! their sessions. The browser's default module does not link this crate: its runs are traced
//! as one span each, on the TypeScript side.
//!
//! [`RunTracing`]: atomiton_core::telemetry::RunTracing
//! [`RunTracer`]: atomiton_core::telemetry::RunTracer
//! [`SessionCapability`]: atomiton_core::session::SessionCapability

mod records;
mod tracer;

use std::sync::Arc;

use atomiton_core::error::Result;
use atomiton_core::session::SessionCapability;
use atomiton_core::telemetry::{RunTracer, RunTracing, TelemetryOptions};
use atomiton_core::value::Value;

/// Traced runs: what a binding built with them passes to
/// [`SessionConfig::new_engine`](atomiton_core::session::SessionConfig::new_engine), or gives an
/// engine with [`Engine::with_tracing`](atomiton_core::Engine::with_tracing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Telemetry;

impl RunTracing for Telemetry {
    /// `telemetry: {propagate, traceparent, tracestate}`; an unknown field names the one meant.
    fn tracer(&self, options: &Value) -> Result<Arc<dyn RunTracer>> {
        let options = TelemetryOptions::from_value(options)?;
        Ok(Arc::new(tracer::RunTelemetry::new(&options)))
    }
}

impl SessionCapability for Telemetry {
    fn tracing(&self) -> Option<Arc<dyn RunTracing>> {
        Some(Arc::new(Telemetry))
    }
}

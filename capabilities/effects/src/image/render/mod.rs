//! The `image` node's pixels: decoded, resized, filtered, blended and encoded off the scheduler
//! (native builds with `image`; its twin, `render_off.rs`, says they are not in the build).

mod blend;
mod process;

use super::{node_error, Config, TYPE};
use atomiton_core::error::ExecutionError;
use atomiton_core::host::{offload, SharedHost};
use blend::BlendMode;
use process::{Fit, Format, Gravity, Options, Output};

pub(super) fn options(config: &Config, format: &str) -> Options {
    let dimension = |key: &str| {
        config
            .get(key)
            .and_then(atomiton_core::value::Value::as_f64)
            .filter(|v| *v > 0.0)
            .map(|v| v.round() as u32)
    };
    Options {
        width: dimension("width"),
        height: dimension("height"),
        fit: match config.str("fit").unwrap_or("cover") {
            "contain" => Fit::Contain,
            "fill" => Fit::Fill,
            "inside" => Fit::Inside,
            "outside" => Fit::Outside,
            _ => Fit::Cover,
        },
        position: Gravity::parse(config.str("position").unwrap_or("center")),
        blend: BlendMode::parse(config.str("blendMode").unwrap_or("over")),
        opacity: config.get("opacity").and_then(atomiton_core::value::Value::as_f64).unwrap_or(1.0)
            as f32,
        blur: config.get("blur").and_then(atomiton_core::value::Value::as_f64).unwrap_or(0.0)
            as f32,
        sharpen: config.bool("sharpen").unwrap_or(false),
        grayscale: config.bool("grayscale").unwrap_or(false),
        format: match format {
            "jpeg" | "jpg" => Format::Jpeg,
            "webp" => Format::Webp,
            _ => Format::Png,
        },
        quality: config
            .get("quality")
            .and_then(atomiton_core::value::Value::as_f64)
            .unwrap_or(90.0)
            .clamp(1.0, 100.0) as u8,
    }
}

pub(super) async fn run(
    host: &SharedHost,
    source: Vec<u8>,
    layers: Vec<Vec<u8>>,
    options: Options,
) -> Result<Output, ExecutionError> {
    offload(host, move || {
        let base = process::decode(&source)?;
        let layers =
            layers.iter().map(|bytes| process::decode(bytes)).collect::<Result<Vec<_>, _>>()?;
        process::render(base, layers, &options)
    })
    .await?
    .map_err(|message| node_error(TYPE, message))
}

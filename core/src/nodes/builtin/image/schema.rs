//! `image` parameters, UI fields, ports and catalog entry.
//!
//! Quirks kept from the TypeScript engine: `quality`, `fit`, `position`, `blendMode` and `opacity`
//! declare a default inside an optional wrapper, so the field shows "Default: ..." but an
//! absent value stays absent (the behaviour falls back itself, e.g. `quality || 90`).
//!
//! Fixed: the definition defaults carry `blendMode: "normal"`, which the TypeScript engine's schema
//! rejected, so a catalog image node could never validate. `"normal"` is accepted as the name
//! the UI gives `over` ("Normal").

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{data_path_param, FieldOverrides, NodeSchema, ParamKind, ParamSpec};

const BLEND_MODES: &[&str] = &[
    "normal",
    "clear",
    "source",
    "over",
    "in",
    "out",
    "atop",
    "dest",
    "dest-over",
    "dest-in",
    "dest-out",
    "dest-atop",
    "xor",
    "add",
    "saturate",
    "multiply",
    "screen",
    "overlay",
    "darken",
    "lighten",
    "color-dodge",
    "color-burn",
    "hard-light",
    "soft-light",
    "difference",
    "exclusion",
];

const POSITIONS: &[&str] = &[
    "center",
    "top",
    "right",
    "bottom",
    "left",
    "top-left",
    "top-right",
    "bottom-left",
    "bottom-right",
];

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("operation", ParamKind::Enum(&["overlay", "merge", "composite", "blend"]))
            .default(|| json!("overlay"))
            .describe("Type of image composition operation")
            .ui(FieldOverrides::NONE.options(&[
                ("overlay", "Overlay"),
                ("merge", "Merge"),
                ("composite", "Composite"),
                ("blend", "Blend"),
            ])),
        ParamSpec::new("images", ParamKind::StringList { min_items: 1 })
            .describe("Array of image paths or URLs to composite")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("[\"/path/to/image1.png\", \"/path/to/image2.png\"]")
                .rows(3)),
        ParamSpec::new("output", ParamKind::text()).describe("Output path for the composed image"),
        ParamSpec::new("width", ParamKind::positive())
            .optional()
            .describe("Output image width in pixels"),
        ParamSpec::new("height", ParamKind::positive())
            .optional()
            .describe("Output image height in pixels"),
        ParamSpec::new("format", ParamKind::Enum(&["png", "jpeg", "webp"]))
            .default(|| json!("png"))
            .describe("Output image format")
            .ui(FieldOverrides::NONE.options(&[
                ("png", "PNG"),
                ("jpeg", "JPEG"),
                ("webp", "WebP"),
            ])),
        ParamSpec::new("quality", ParamKind::number_range(1.0, 100.0))
            .declared_default(|| json!(90))
            .describe("Output image quality (1-100)")
            .note(
                "JPEG quality (default 90); PNG and WebP are written losslessly, whatever it says",
            )
            .ui(FieldOverrides::NONE.control("number").min(1.0).max(100.0)),
        ParamSpec::new("fit", ParamKind::Enum(&["cover", "contain", "fill", "inside", "outside"]))
            .declared_default(|| json!("cover"))
            .describe("How the image should be resized to fit dimensions")
            .ui(FieldOverrides::NONE.options(&[
                ("cover", "Cover"),
                ("contain", "Contain"),
                ("fill", "Fill"),
                ("inside", "Inside"),
                ("outside", "Outside"),
            ])),
        ParamSpec::new("position", ParamKind::Enum(POSITIONS))
            .declared_default(|| json!("center"))
            .describe("Position for overlay or gravity for resize")
            .ui(FieldOverrides::NONE.options(&[
                ("center", "Center"),
                ("top", "Top"),
                ("right", "Right"),
                ("bottom", "Bottom"),
                ("left", "Left"),
                ("top-left", "Top Left"),
                ("top-right", "Top Right"),
                ("bottom-left", "Bottom Left"),
                ("bottom-right", "Bottom Right"),
            ])),
        // The select offers the common modes; the schema accepts every mode the renderer knows.
        ParamSpec::new("blendMode", ParamKind::Enum(BLEND_MODES))
            .declared_default(|| json!("over"))
            .describe("Blend mode for composite operations")
            .ui(FieldOverrides::NONE.options(&[
                ("over", "Normal"),
                ("multiply", "Multiply"),
                ("screen", "Screen"),
                ("overlay", "Overlay"),
                ("darken", "Darken"),
                ("lighten", "Lighten"),
                ("color-dodge", "Color Dodge"),
                ("color-burn", "Color Burn"),
                ("hard-light", "Hard Light"),
                ("soft-light", "Soft Light"),
                ("difference", "Difference"),
                ("exclusion", "Exclusion"),
            ])),
        ParamSpec::new("opacity", ParamKind::number_range(0.0, 1.0))
            .declared_default(|| json!(1))
            .describe("Opacity for overlay operations (0-1)")
            .ui(FieldOverrides::NONE.control("number").min(0.0).max(1.0).step(0.1)),
        ParamSpec::new("blur", ParamKind::number_range(0.0, 100.0))
            .optional()
            .describe("Gaussian blur sigma (0-100)")
            .ui(FieldOverrides::NONE.control("number").min(0.0).max(100.0)),
        ParamSpec::new("sharpen", ParamKind::Boolean)
            .optional()
            .describe("Apply sharpening filter")
            .ui(FieldOverrides::NONE.control("boolean")),
        ParamSpec::new("grayscale", ParamKind::Boolean)
            .optional()
            .describe("Convert to grayscale")
            .ui(FieldOverrides::NONE.control("boolean")),
        data_path_param(),
        ParamSpec::new(
            "outputFormat",
            ParamKind::Only {
                json: "\"png\"",
                why: "the output's format is the `format` parameter",
            },
        )
        .optional(),
        ParamSpec::new(
            "backgroundColor",
            ParamKind::Only {
                json: "\"transparent\"",
                why: "no operation paints a background: uncovered pixels stay transparent",
            },
        )
        .optional(),
        ParamSpec::new(
            "maintainAspectRatio",
            ParamKind::Only {
                json: "true",
                why: "`fit` says how a resize keeps or drops the aspect ratio (`fill` stretches)",
            },
        )
        .optional(),
        ParamSpec::new("padding", ParamKind::Only { json: "0", why: "no operation adds padding" })
            .optional(),
    ])
    .reads_inputs(&["images", "baseImage", "overlayImage"])
});

/// The TypeScript engine's definition defaults, verbatim: `outputFormat`, `backgroundColor`,
/// `maintainAspectRatio` and `padding` are accepted at these values only (no engine read
/// them), and `blendMode: "normal"` is not a valid blend mode.
fn parameters() -> Map {
    Map::from_iter([
        ("operation".to_owned(), json!("overlay")),
        ("outputFormat".to_owned(), json!("png")),
        ("quality".to_owned(), json!(90)),
        ("position".to_owned(), json!("center")),
        ("opacity".to_owned(), json!(1)),
        ("blendMode".to_owned(), json!("normal")),
        ("backgroundColor".to_owned(), json!("transparent")),
        ("maintainAspectRatio".to_owned(), json!(true)),
        ("padding".to_owned(), json!(0)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "image",
    name: "Image",
    description: "Overlay, merge, resize, filter and convert images",
    category: "media",
    icon: "image",
    keywords: &[
        "image",
        "composite",
        "overlay",
        "merge",
        "blend",
        "photo",
        "picture",
        "graphics",
        "media",
        "manipulation",
    ],
    environment: Environment::NativeOnly,
    parameters,
    input_ports: &[
        PortSpec::input("baseImage", "Base Image", "any"),
        PortSpec::input("overlayImage", "Overlay Image", "any")
            .describe("overlay: the image on top"),
        PortSpec::input("images", "Images", "array").describe("Image paths, over the parameter"),
    ],
    output_ports: &[PortSpec::output("result", "Result", "string").of_field("result")],
};

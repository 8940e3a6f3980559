//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("result", "string", "The path of the image written."),
    OutputField::new("imagePath", "string", "The same path."),
    OutputField::new("width", "number", "Its width in pixels."),
    OutputField::new("height", "number", "Its height in pixels."),
    OutputField::new("format", "string", "`png`, `jpeg` or `webp`."),
    OutputField::new("size", "number", "Bytes written."),
    OutputField::new("success", "boolean", "true."),
    OutputField::new(
        "data",
        "Uint8Array",
        "The encoded image itself, for nodes that work on data rather than files.",
    ),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Overlay one image on another",
        r#"{"operation": "overlay", "images": ["photos/red.png"], "output": "out/overlay.png", "opacity": 0.5}"#,
        r#"{"overlayImage": "photos/blue.png"}"#,
    ),
    NodeExample::new(
        "Resize and convert",
        r#"{"operation": "composite", "images": ["photos/red.png"], "output": "out/small.jpeg", "width": 4, "height": 4, "format": "jpeg"}"#,
        r#"{}"#,
    ),
];

//! Image decoding (PNG, JPEG, WebP) and what the `image` node does with the pixels.

use atomiton_core::json;
use atomiton_core::NodeDefinition;

use crate::files::MemoryHost;

const SIZES: [Option<(u32, u32)>; 5] =
    [None, Some((16, 16)), Some((1, 300)), Some((4000, 3)), Some((100_000, 100_000))];
const FITS: [&str; 5] = ["cover", "contain", "fill", "inside", "outside"];
const FORMATS: [&str; 3] = ["png", "jpeg", "webp"];

/// `options file`: the first byte picks a size, fit, output format and filters; the rest is the
/// image file, used as both base and overlay.
pub fn image(data: &[u8]) {
    let Some((&options, file)) = data.split_first() else { return };
    let host = MemoryHost::with_file("/in.img", file);
    let mut node = NodeDefinition::new("img", "image")
        .with_param("operation", json!(if options & 1 == 0 { "composite" } else { "overlay" }))
        .with_param("images", json!(["/in.img", "/in.img"]))
        .with_param("output", json!("/out.img"))
        .with_param("fit", json!(FITS[usize::from(options >> 1) % FITS.len()]))
        .with_param("format", json!(FORMATS[usize::from(options >> 3) % FORMATS.len()]))
        .with_param("grayscale", json!(options & 0x20 != 0))
        .with_param("sharpen", json!(options & 0x40 != 0));
    if options & 0x80 != 0 {
        node = node.with_param("blur", json!(2.5));
    }
    if let Some((width, height)) = SIZES[usize::from(options >> 2) % SIZES.len()] {
        node = node.with_param("width", json!(width)).with_param("height", json!(height));
    }
    let result = host.run(node, None);
    if let Some(error) = &result.error {
        assert!(!error.message.is_empty());
    }
}

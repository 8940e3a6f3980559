//! Pixel work of the `image` node, with the `image` crate (feature `image`).

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};

use super::blend::{blend_pixel, BlendMode};

/// How a resized image fills the requested box (sharp's `fit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in super::super) enum Fit {
    Cover,
    Contain,
    Fill,
    Inside,
    Outside,
}

/// Where an image sits in a box (sharp's `position`/`gravity`), as (x, y) fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(in super::super) struct Gravity(pub f32, pub f32);

impl Gravity {
    pub fn parse(name: &str) -> Gravity {
        match name {
            "top" => Gravity(0.5, 0.0),
            "bottom" => Gravity(0.5, 1.0),
            "left" => Gravity(0.0, 0.5),
            "right" => Gravity(1.0, 0.5),
            "top-left" => Gravity(0.0, 0.0),
            "top-right" => Gravity(1.0, 0.0),
            "bottom-left" => Gravity(0.0, 1.0),
            "bottom-right" => Gravity(1.0, 1.0),
            _ => Gravity(0.5, 0.5),
        }
    }

    fn offset(self, outer: (u32, u32), inner: (u32, u32)) -> (i64, i64) {
        let x = ((i64::from(outer.0) - i64::from(inner.0)) as f32 * self.0).round() as i64;
        let y = ((i64::from(outer.1) - i64::from(inner.1)) as f32 * self.1).round() as i64;
        (x, y)
    }
}

/// Output encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in super::super) enum Format {
    Png,
    Jpeg,
    Webp,
}

/// Everything the operation needs besides pixels.
#[derive(Debug, Clone)]
pub(in super::super) struct Options {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Fit,
    pub position: Gravity,
    pub blend: BlendMode,
    pub opacity: f32,
    pub blur: f32,
    pub sharpen: bool,
    pub grayscale: bool,
    pub format: Format,
    pub quality: u8,
}

/// Decoded result: encoded bytes plus the output's size.
pub(in super::super) struct Output {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Most pixels an image may have, read or made (a canvas of them is 256 MiB of RGBA). Checked
/// against the size a file declares before it is decoded, and against every size a resize
/// would make before it is made.
pub(in super::super) const MAX_PIXELS: u64 = 64 * 1024 * 1024;
/// Most memory a decoder may allocate.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Most work a blur may do, as pixels times its sigma (a Gaussian blur costs about six times
/// sigma per pixel, twice).
const MAX_BLUR_WORK: f64 = 2e9;

pub(in super::super) fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let unsupported = || "Unsupported image format. Supported: JPEG, PNG, WebP".to_owned();
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unsupported())?;
    let (width, height) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unsupported())?
        .into_dimensions()
        .map_err(|_| unsupported())?;
    check_size(width, height)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            format!("The image needs more than the {MAX_DECODE_BYTES} bytes a decoder may use")
        }
        _ => unsupported(),
    })
}

/// Refuses a size of more than [`MAX_PIXELS`] before anything of that size is allocated.
fn check_size(width: u32, height: u32) -> Result<(), String> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "An image of {width}x{height} pixels is larger than the limit of {MAX_PIXELS} pixels"
        ));
    }
    Ok(())
}

/// `base` resized, with each of `layers` composited over it at `position`, filtered and encoded.
pub(in super::super) fn render(
    base: DynamicImage,
    layers: Vec<DynamicImage>,
    options: &Options,
) -> Result<Output, String> {
    let base = resize(base, options)?;
    let mut canvas = base.to_rgba8();
    for layer in layers {
        composite(&mut canvas, &layer.to_rgba8(), options.position, options.blend, options.opacity);
    }
    let mut image = DynamicImage::ImageRgba8(canvas);
    if options.blur > 0.0 {
        let sigma = options.blur.max(0.3);
        let work = f64::from(image.width()) * f64::from(image.height()) * f64::from(sigma);
        if work.is_nan() || work > MAX_BLUR_WORK {
            return Err(format!("A blur of sigma {sigma} over {}x{} pixels is more work than the limit allows; use a smaller blur or image", image.width(), image.height()));
        }
        image = image.blur(sigma);
    }
    if options.sharpen {
        image = image.unsharpen(1.0, 2);
    }
    if options.grayscale {
        image = DynamicImage::ImageLumaA8(image.to_luma_alpha8());
    }
    let (width, height) = (image.width(), image.height());
    Ok(Output { bytes: encode(&image, options.format, options.quality)?, width, height })
}

fn resize(image: DynamicImage, options: &Options) -> Result<DynamicImage, String> {
    let (w0, h0) = (image.width().max(1), image.height().max(1));
    let (target_w, target_h) = match (options.width, options.height) {
        (None, None) => return Ok(image),
        (Some(w), None) => (
            w,
            ((u64::from(w) * u64::from(h0)) / u64::from(w0)).clamp(1, u64::from(u32::MAX)) as u32,
        ),
        (None, Some(h)) => (
            ((u64::from(h) * u64::from(w0)) / u64::from(h0)).clamp(1, u64::from(u32::MAX)) as u32,
            h,
        ),
        (Some(w), Some(h)) => (w, h),
    };
    check_size(target_w, target_h)?;
    if options.width.is_none() || options.height.is_none() {
        return Ok(image.resize_exact(target_w, target_h, FilterType::Lanczos3));
    }
    let scale_cover = (target_w as f32 / w0 as f32).max(target_h as f32 / h0 as f32);
    let scale_contain = (target_w as f32 / w0 as f32).min(target_h as f32 / h0 as f32);
    let scaled = |scale: f32| {
        let (w, h) = (
            ((w0 as f32 * scale).round() as u32).max(1),
            ((h0 as f32 * scale).round() as u32).max(1),
        );
        check_size(w, h).map(|()| image.resize_exact(w, h, FilterType::Lanczos3))
    };
    Ok(match options.fit {
        Fit::Fill => image.resize_exact(target_w, target_h, FilterType::Lanczos3),
        Fit::Inside => scaled(scale_contain)?,
        Fit::Outside => scaled(scale_cover)?,
        Fit::Cover => {
            let big = scaled(scale_cover)?;
            let (x, y) = options.position.offset((big.width(), big.height()), (target_w, target_h));
            big.crop_imm(x.max(0) as u32, y.max(0) as u32, target_w, target_h)
        }
        Fit::Contain => {
            let small = scaled(scale_contain)?.to_rgba8();
            let mut canvas = RgbaImage::from_pixel(target_w, target_h, Rgba([0, 0, 0, 0]));
            let (x, y) =
                options.position.offset((target_w, target_h), (small.width(), small.height()));
            imageops::overlay(&mut canvas, &small, x, y);
            DynamicImage::ImageRgba8(canvas)
        }
    })
}

/// Source-over with a blend mode, at the layer's gravity, with `opacity` applied to the layer.
fn composite(
    canvas: &mut RgbaImage,
    layer: &RgbaImage,
    position: Gravity,
    mode: BlendMode,
    opacity: f32,
) {
    let (ox, oy) = position.offset(canvas.dimensions(), layer.dimensions());
    let opacity = opacity.clamp(0.0, 1.0);
    for (lx, ly, top) in layer.enumerate_pixels() {
        let (x, y) = (ox + i64::from(lx), oy + i64::from(ly));
        if x < 0 || y < 0 || x >= i64::from(canvas.width()) || y >= i64::from(canvas.height()) {
            continue;
        }
        let bottom = canvas.get_pixel_mut(x as u32, y as u32);
        *bottom = blend_pixel(*bottom, *top, mode, opacity);
    }
}

fn encode(image: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    let result = match format {
        Format::Png => image.write_to(&mut out, ImageFormat::Png),
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
            rgb.write_with_encoder(encoder)
        }
        // The pure-Rust WebP encoder is lossless, so `quality` does not apply to WebP.
        Format::Webp => image.to_rgba8().write_to(&mut out, ImageFormat::WebP),
    };
    result.map_err(|e| format!("Image processing failed: {e}"))?;
    Ok(out.into_inner())
}

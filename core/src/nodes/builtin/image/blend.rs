//! Blend modes for compositing (the separable modes of sharp/libvips; the Porter-Duff
//! operators that only move alpha around fall back to `over`).

use image::Rgba;

/// How a layer's colour combines with what is under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlendMode {
    Over,
    Multiply,
    Screen,
    Overlay,
    Darken,
    Lighten,
    ColorDodge,
    ColorBurn,
    HardLight,
    SoftLight,
    Difference,
    Exclusion,
    Add,
}

impl BlendMode {
    pub fn parse(name: &str) -> BlendMode {
        match name {
            "multiply" => BlendMode::Multiply,
            "screen" => BlendMode::Screen,
            "overlay" => BlendMode::Overlay,
            "darken" => BlendMode::Darken,
            "lighten" => BlendMode::Lighten,
            "color-dodge" => BlendMode::ColorDodge,
            "color-burn" => BlendMode::ColorBurn,
            "hard-light" => BlendMode::HardLight,
            "soft-light" => BlendMode::SoftLight,
            "difference" => BlendMode::Difference,
            "exclusion" => BlendMode::Exclusion,
            "add" | "saturate" => BlendMode::Add,
            _ => BlendMode::Over,
        }
    }

    /// The blended colour channel (0..1) of `base` under `top`.
    fn channel(self, base: f32, top: f32) -> f32 {
        match self {
            BlendMode::Over => top,
            BlendMode::Multiply => base * top,
            BlendMode::Screen => base + top - base * top,
            BlendMode::Overlay => BlendMode::HardLight.channel(top, base),
            BlendMode::Darken => base.min(top),
            BlendMode::Lighten => base.max(top),
            BlendMode::ColorDodge => {
                if base == 0.0 {
                    0.0
                } else if top >= 1.0 {
                    1.0
                } else {
                    (base / (1.0 - top)).min(1.0)
                }
            }
            BlendMode::ColorBurn => {
                if base >= 1.0 {
                    1.0
                } else if top <= 0.0 {
                    0.0
                } else {
                    1.0 - ((1.0 - base) / top).min(1.0)
                }
            }
            BlendMode::HardLight => {
                if top <= 0.5 {
                    base * 2.0 * top
                } else {
                    BlendMode::Screen.channel(base, 2.0 * top - 1.0)
                }
            }
            BlendMode::SoftLight => {
                if top <= 0.5 {
                    base - (1.0 - 2.0 * top) * base * (1.0 - base)
                } else {
                    let d = if base <= 0.25 {
                        ((16.0 * base - 12.0) * base + 4.0) * base
                    } else {
                        base.sqrt()
                    };
                    base + (2.0 * top - 1.0) * (d - base)
                }
            }
            BlendMode::Difference => (base - top).abs(),
            BlendMode::Exclusion => base + top - 2.0 * base * top,
            BlendMode::Add => (base + top).min(1.0),
        }
    }
}

/// W3C compositing: the blended colour where both are present, source-over alpha.
pub(super) fn blend_pixel(
    bottom: Rgba<u8>,
    top: Rgba<u8>,
    mode: BlendMode,
    opacity: f32,
) -> Rgba<u8> {
    let ab = f32::from(bottom[3]) / 255.0;
    let at = f32::from(top[3]) / 255.0 * opacity;
    let out_alpha = at + ab * (1.0 - at);
    if out_alpha <= 0.0 {
        return Rgba([0, 0, 0, 0]);
    }
    let mut out = [0u8; 4];
    for c in 0..3 {
        let cb = f32::from(bottom[c]) / 255.0;
        let ct = f32::from(top[c]) / 255.0;
        let mixed = (1.0 - ab) * ct + ab * mode.channel(cb, ct);
        let value = (at * mixed + ab * (1.0 - at) * cb) / out_alpha;
        out[c] = (value.clamp(0.0, 1.0) * 255.0).round() as u8;
    }
    out[3] = (out_alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
    Rgba(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let white = Rgba([255, 255, 255, 255]);
        let grey = Rgba([128, 128, 128, 255]);
        let black = Rgba([0, 0, 0, 255]);
        assert_eq!(blend_pixel(white, grey, BlendMode::Over, 1.0), grey);
        assert_eq!(blend_pixel(white, grey, BlendMode::Multiply, 1.0), grey);
        assert_eq!(blend_pixel(black, grey, BlendMode::Screen, 1.0), grey);
        assert_eq!(blend_pixel(white, black, BlendMode::Over, 0.5)[0], 128);
        assert_eq!(blend_pixel(white, grey, BlendMode::Difference, 1.0)[0], 127);
        let clear = Rgba([10, 20, 30, 0]);
        assert_eq!(
            blend_pixel(grey, clear, BlendMode::Multiply, 1.0),
            grey,
            "a transparent layer changes nothing"
        );
    }
}

//! Blend modes for compositing: the separable modes of sharp/libvips, and the Porter-Duff
//! operators (`clear`, `source`, `in`, `out`, `atop`, `dest*`, `xor`), which decide how much of
//! each layer shows where the other is.

use image::Rgba;

/// How a layer's colour combines with what is under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in super::super) enum BlendMode {
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
    /// A Porter-Duff operator: how much of the top layer (`Fa`) and of the bottom (`Fb`)
    /// remain.
    Compose(Operator),
}

/// The Porter-Duff operators other than `over`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in super::super) enum Operator {
    Clear,
    Source,
    In,
    Out,
    Atop,
    Dest,
    DestOver,
    DestIn,
    DestOut,
    DestAtop,
    Xor,
}

impl Operator {
    /// `(Fa, Fb)` for the top layer's alpha `at` and the bottom's `ab`.
    fn factors(self, at: f32, ab: f32) -> (f32, f32) {
        match self {
            Operator::Clear => (0.0, 0.0),
            Operator::Source => (1.0, 0.0),
            Operator::In => (ab, 0.0),
            Operator::Out => (1.0 - ab, 0.0),
            Operator::Atop => (ab, 1.0 - at),
            Operator::Dest => (0.0, 1.0),
            Operator::DestOver => (1.0 - ab, 1.0),
            Operator::DestIn => (0.0, at),
            Operator::DestOut => (0.0, 1.0 - at),
            Operator::DestAtop => (1.0 - ab, at),
            Operator::Xor => (1.0 - ab, 1.0 - at),
        }
    }
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
            "clear" => BlendMode::Compose(Operator::Clear),
            "source" => BlendMode::Compose(Operator::Source),
            "in" => BlendMode::Compose(Operator::In),
            "out" => BlendMode::Compose(Operator::Out),
            "atop" => BlendMode::Compose(Operator::Atop),
            "dest" => BlendMode::Compose(Operator::Dest),
            "dest-over" => BlendMode::Compose(Operator::DestOver),
            "dest-in" => BlendMode::Compose(Operator::DestIn),
            "dest-out" => BlendMode::Compose(Operator::DestOut),
            "dest-atop" => BlendMode::Compose(Operator::DestAtop),
            "xor" => BlendMode::Compose(Operator::Xor),
            // `over`, and the schema admits nothing else.
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
            // Compositing operators keep each layer's own colour (see `blend_pixel`).
            BlendMode::Compose(_) => top,
        }
    }
}

/// W3C compositing: the blended colour where both are present, source-over alpha.
pub(in super::super) fn blend_pixel(
    bottom: Rgba<u8>,
    top: Rgba<u8>,
    mode: BlendMode,
    opacity: f32,
) -> Rgba<u8> {
    let ab = f32::from(bottom[3]) / 255.0;
    let at = f32::from(top[3]) / 255.0 * opacity;
    if let BlendMode::Compose(operator) = mode {
        return compose(bottom, top, operator, at, ab);
    }
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

/// Porter-Duff compositing: each layer's premultiplied colour, by its factor.
fn compose(bottom: Rgba<u8>, top: Rgba<u8>, operator: Operator, at: f32, ab: f32) -> Rgba<u8> {
    let (fa, fb) = operator.factors(at, ab);
    let out_alpha = at * fa + ab * fb;
    if out_alpha <= 0.0 {
        return Rgba([0, 0, 0, 0]);
    }
    let mut out = [0u8; 4];
    for c in 0..3 {
        let ct = f32::from(top[c]) / 255.0;
        let cb = f32::from(bottom[c]) / 255.0;
        let value = (at * fa * ct + ab * fb * cb) / out_alpha;
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

    #[test]
    fn porter_duff_operators_keep_what_they_say() {
        let red = Rgba([255, 0, 0, 255]);
        let blue = Rgba([0, 0, 255, 255]);
        let none = Rgba([0, 0, 0, 0]);
        let compose = |bottom, top, name| blend_pixel(bottom, top, BlendMode::parse(name), 1.0);
        assert_eq!(compose(blue, red, "clear"), none);
        assert_eq!(compose(blue, red, "source"), red);
        assert_eq!(compose(blue, red, "dest"), blue);
        assert_eq!(compose(blue, red, "dest-over"), blue);
        assert_eq!(compose(blue, red, "in"), red);
        assert_eq!(compose(none, red, "in"), none, "in: only where the bottom is");
        assert_eq!(compose(none, red, "out"), red, "out: only where the bottom is not");
        assert_eq!(compose(blue, red, "out"), none);
        assert_eq!(compose(blue, red, "atop"), red);
        assert_eq!(compose(none, red, "atop"), none);
        assert_eq!(compose(blue, red, "dest-in"), blue);
        assert_eq!(compose(blue, none, "dest-in"), none);
        assert_eq!(compose(blue, red, "dest-out"), none);
        assert_eq!(compose(blue, red, "dest-atop"), blue);
        assert_eq!(compose(blue, red, "xor"), none);
        assert_eq!(compose(none, red, "xor"), red);
        assert_eq!(compose(blue, red, "over"), red);
    }
}

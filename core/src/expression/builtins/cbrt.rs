//! `Math.cbrt` as V8 computes it: FreeBSD msun's `s_cbrt.c` (fdlibm), which V8 ports. Correctly
//! rounded cube roots (the platform's, or the `libm` crate's) differ from it in the last bit
//! for some inputs, and expressions must give what JavaScript gives.

/// B1 = (1023 - 1023/3 - 0.03306235651) * 2^20.
const B1: u32 = 715_094_163;
/// B2 = (1023 - 1023/3 - 54/3 - 0.03306235651) * 2^20, for subnormals scaled by 2^54.
const B2: u32 = 696_219_795;

/// |1/cbrt(x) - p(x)| < 2^-23.5. Written digit for digit as FreeBSD's msun has them, so the
/// source can be checked against it.
#[allow(clippy::excessive_precision)]
const P0: f64 = 1.875_951_824_271_770_096_43;
#[allow(clippy::excessive_precision)]
const P1: f64 = -1.884_979_795_433_771_698_75;
#[allow(clippy::excessive_precision)]
const P2: f64 = 1.621_429_720_105_354_466_14;
#[allow(clippy::excessive_precision)]
const P3: f64 = -0.758_397_934_778_766_047_437;
#[allow(clippy::excessive_precision)]
const P4: f64 = 0.145_996_192_886_612_446_982;

pub(super) fn cbrt(x: f64) -> f64 {
    let bits = x.to_bits();
    let high = (bits >> 32) as u32;
    let sign = high & 0x8000_0000;
    let hx = high ^ sign;
    if hx >= 0x7ff0_0000 {
        return x + x; // NaN and ±Infinity are their own cube roots
    }
    // A first estimate to about 5 bits, from the exponent.
    let mut t = if hx < 0x0010_0000 {
        if bits << 1 == 0 {
            return x; // ±0
        }
        // Subnormal: scale by 2^54 to read an exponent, and take it out again through B2.
        let scaled = f64::from_bits(0x4350_0000_u64 << 32) * x;
        let high = (scaled.to_bits() >> 32) as u32;
        f64::from_bits(u64::from(sign | ((high & 0x7fff_ffff) / 3 + B2)) << 32)
    } else {
        f64::from_bits(u64::from(sign | (hx / 3 + B1)) << 32)
    };
    // To 23 bits with a polynomial.
    let r = (t * t) * (t / x);
    t *= (P0 + r * (P1 + r * P2)) + ((r * r) * r) * (P3 + r * P4);
    // Rounded away from zero to 23 bits, so t*t below is exact.
    t = f64::from_bits((t.to_bits() + 0x8000_0000) & 0xffff_ffff_c000_0000);
    // One Newton step to 53 bits.
    let s = t * t;
    let r = x / s;
    let w = t + t;
    let r = (r - t) / (w + r);
    t + t * r
}

#[cfg(test)]
mod tests {
    use super::cbrt;

    #[test]
    fn agrees_with_v8() {
        // Node 20's Math.cbrt for each (where correctly rounded results differ for some).
        assert_eq!(cbrt(27.0), 3.0);
        assert_eq!(cbrt(-8.0), -2.0);
        assert_eq!(cbrt(2.0), 1.2599210498948732);
        assert_eq!(cbrt(0.1), 0.464_158_883_361_277_9);
        assert_eq!(cbrt(5e-324), 1.7031839360032603e-108);
        assert!(cbrt(-0.0).is_sign_negative());
        assert!(cbrt(f64::NAN).is_nan());
        assert_eq!(cbrt(f64::NEG_INFINITY), f64::NEG_INFINITY);
    }
}

//! [`Number`]: a JavaScript number, any double.

/// A JavaScript number. Unlike JSON's numbers it holds every double: `-0`, `NaN` and the
/// infinities too. Equality is `Object.is`: `NaN` equals itself and `-0` differs from `0`, so a
/// value compares equal exactly when it came out as it went in.
#[derive(Clone, Copy, Debug, Default)]
pub struct Number(f64);

/// 2^53: integers below it in magnitude are exact doubles, and print without a fraction.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

impl Number {
    /// The number `n`. Always `Some`: every double is a JavaScript number (the `Option` keeps
    /// serde_json's signature, whose numbers exclude NaN and the infinities).
    pub fn from_f64(n: f64) -> Option<Number> {
        Some(Number(n))
    }

    /// The number `n`.
    pub const fn new(n: f64) -> Number {
        Number(n)
    }

    /// The double.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The double (always `Some`; serde_json's signature).
    pub fn as_f64(&self) -> Option<f64> {
        Some(self.0)
    }

    /// The number as an `i64` when it is integral and in range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.0;
        (n.fract() == 0.0 && n >= i64::MIN as f64 && n < i64::MAX as f64).then_some(n as i64)
    }

    /// The number as a `u64` when it is integral, non-negative and in range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    pub fn as_u64(&self) -> Option<u64> {
        let n = self.0;
        (n.fract() == 0.0 && n >= 0.0 && n < u64::MAX as f64).then_some(n as u64)
    }

    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }

    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }

    /// Whether the number has a fraction or is beyond the exactly representable integers.
    pub fn is_f64(&self) -> bool {
        !(self.0.fract() == 0.0 && self.0.abs() < EXACT_INTEGERS)
    }

    /// Whether JSON text can carry it as a number (finite, and not `-0`, which `JSON.stringify`
    /// writes as `0`).
    pub fn is_json(&self) -> bool {
        self.0.is_finite() && !(self.0 == 0.0 && self.0.is_sign_negative())
    }

    /// Whether it is an integer small enough to print without a fraction or an exponent.
    pub(crate) fn is_small_integer(&self) -> bool {
        self.0.fract() == 0.0 && self.0.abs() < EXACT_INTEGERS
    }
}

impl PartialEq for Number {
    /// `Object.is`.
    fn eq(&self, other: &Number) -> bool {
        if self.0.is_nan() {
            return other.0.is_nan();
        }
        self.0 == other.0 && self.0.is_sign_negative() == other.0.is_sign_negative()
    }
}

impl std::fmt::Display for Number {
    /// As JavaScript's `String(n)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::js_number(self.0))
    }
}

macro_rules! from_lossless {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Number {
                Number(f64::from(n))
            }
        }
    )*};
}
from_lossless!(i8, i16, i32, u8, u16, u32, f32, f64);

macro_rules! from_wide {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            /// Rounded to the nearest double, as JavaScript's `Number(n)` of a larger integer.
            #[allow(clippy::cast_precision_loss)]
            fn from(n: $t) -> Number {
                Number(n as f64)
            }
        }
    )*};
}
from_wide!(i64, u64, isize, usize);

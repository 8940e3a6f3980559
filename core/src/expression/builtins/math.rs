//! `Math.*` functions (deterministic ones only: no `Math.random`).

use super::super::error::RtResult;
use super::super::interpreter::Interp;
use super::super::ops::js_pow;
use super::super::value::Val;
use super::{arg, Native};

/// `Math.round`: halves round towards +Infinity (unlike Rust's `f64::round`).
fn js_round(x: f64) -> f64 {
    if !x.is_finite() || x.fract() == 0.0 {
        return x;
    }
    if (-0.5..0.0).contains(&x) {
        return -0.0;
    }
    let f = x.floor();
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// `Math.hypot` as V8 computes it: each value divided by the largest (so squares neither
/// overflow nor underflow), squares added with Kahan compensation, and the root scaled back.
fn hypot(nums: &[f64]) -> f64 {
    let mut max: f64 = 0.0;
    let mut nan = false;
    for x in nums {
        if x.is_nan() {
            nan = true;
        } else {
            max = max.max(x.abs());
        }
    }
    if max == f64::INFINITY {
        return f64::INFINITY;
    }
    if nan {
        return f64::NAN;
    }
    if max == 0.0 {
        return 0.0;
    }
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for x in nums {
        let n = x.abs() / max;
        let summand = n * n - compensation;
        let preliminary = sum + summand;
        compensation = (preliminary - sum) - summand;
        sum = preliminary;
    }
    sum.sqrt() * max
}

pub(super) fn call<'a>(it: &mut Interp, f: Native, args: Vec<Val<'a>>) -> RtResult<Val<'a>> {
    if matches!(f, Native::MathMin | Native::MathMax | Native::MathHypot) {
        let mut nums = Vec::with_capacity(args.len());
        for a in &args {
            nums.push(it.coerce_number(a)?);
        }
        it.charge(nums.len())?;
        let r = match f {
            Native::MathMin => nums.iter().copied().fold(f64::INFINITY, |m, x| {
                if x.is_nan() || m.is_nan() {
                    f64::NAN
                } else {
                    m.min(x)
                }
            }),
            Native::MathMax => nums.iter().copied().fold(f64::NEG_INFINITY, |m, x| {
                if x.is_nan() || m.is_nan() {
                    f64::NAN
                } else {
                    m.max(x)
                }
            }),
            _ => hypot(&nums),
        };
        return Ok(Val::Num(r));
    }
    let x = it.coerce_number(&arg(&args, 0))?;
    let r = match f {
        Native::MathAbs => x.abs(),
        Native::MathFloor => x.floor(),
        Native::MathCeil => x.ceil(),
        Native::MathRound => js_round(x),
        Native::MathTrunc => x.trunc(),
        Native::MathSqrt => x.sqrt(),
        Native::MathCbrt => super::cbrt::cbrt(x),
        Native::MathSign => {
            if x.is_nan() || x == 0.0 {
                x
            } else {
                x.signum()
            }
        }
        // fdlibm's, as V8's: the platform's differ in the last bit for some inputs.
        Native::MathLog => libm::log(x),
        Native::MathLog2 => libm::log2(x),
        Native::MathLog10 => libm::log10(x),
        // V8 returns `Math.E` for `exp(1)`, where the algorithm is one bit off.
        Native::MathExp if x == 1.0 => std::f64::consts::E,
        Native::MathExp => libm::exp(x),
        Native::MathPow => {
            let y = it.coerce_number(&arg(&args, 1))?;
            js_pow(x, y)
        }
        _ => f64::NAN,
    };
    Ok(Val::Num(r))
}

//! `extism:host/env`: the functions a plugin built with an Extism PDK imports, over the call's
//! kernel (`kernel.rs`). Each checks what the plugin gives it: an offset outside its memory
//! traps the call with a message, never reads or writes elsewhere. Each charges fuel for the
//! bytes it moves (`charge`), so a plugin cannot buy hours of host work with a few instructions.

use wasmi::{Caller, Error, Linker};

use super::kernel::Fault;
use super::State;

const MODULE: &str = "extism:host/env";

impl From<Fault> for Error {
    fn from(fault: Fault) -> Error {
        Error::new(fault.0)
    }
}

/// Bytes of host work one unit of fuel pays for (an instruction's worth).
const BYTES_PER_FUEL: u64 = 64;

/// Takes the fuel host work on `bytes` costs from the call. What the slice has not got is owed,
/// taken from the next slices (the call stops for fuel at its next instruction, so the node's
/// timeout and cancellation are looked at before more work is done).
fn charge(caller: &mut Caller<'_, State>, bytes: u64) -> Result<(), Error> {
    let cost = bytes / BYTES_PER_FUEL + 1;
    let fuel = caller.get_fuel()?;
    if fuel >= cost {
        caller.set_fuel(fuel - cost)
    } else {
        caller.data_mut().owed += cost - fuel;
        caller.set_fuel(0)
    }
}

/// Every function of `extism:host/env` a PDK may import.
pub(super) fn define(linker: &mut Linker<State>) -> Result<(), Error> {
    type C<'a> = Caller<'a, State>;
    linker.func_wrap(MODULE, "input_length", |c: C<'_>| -> i64 {
        c.data().kernel.input_length() as i64
    })?;
    linker.func_wrap(MODULE, "input_load_u8", |c: C<'_>, at: i64| -> Result<i32, Error> {
        Ok(i32::from(c.data().kernel.input_load_u8(at as u64)?))
    })?;
    linker.func_wrap(MODULE, "input_load_u64", |c: C<'_>, at: i64| -> Result<i64, Error> {
        Ok(c.data().kernel.input_load_u64(at as u64)? as i64)
    })?;
    linker.func_wrap(MODULE, "length", |c: C<'_>, at: i64| -> i64 {
        c.data().kernel.length(at as u64) as i64
    })?;
    linker.func_wrap(MODULE, "length_unsafe", |c: C<'_>, at: i64| -> i64 {
        c.data().kernel.length(at as u64) as i64
    })?;
    linker.func_wrap(MODULE, "alloc", |mut c: C<'_>, length: i64| -> Result<i64, Error> {
        // A new block is zeroed: host work on its length.
        charge(&mut c, length as u64)?;
        let state = c.data_mut();
        let offset = state.kernel.alloc(length as u64);
        if offset == 0 {
            // Noted, so that the trap a PDK meets next is told as what it is.
            state.refused = Some(length as u64);
        }
        Ok(offset as i64)
    })?;
    linker
        .func_wrap(MODULE, "free", |mut c: C<'_>, at: i64| c.data_mut().kernel.free(at as u64))?;
    linker.func_wrap(MODULE, "load_u8", |c: C<'_>, at: i64| -> Result<i32, Error> {
        Ok(i32::from(c.data().kernel.load_u8(at as u64)?))
    })?;
    linker.func_wrap(MODULE, "load_u64", |c: C<'_>, at: i64| -> Result<i64, Error> {
        Ok(c.data().kernel.load_u64(at as u64)? as i64)
    })?;
    linker.func_wrap(
        MODULE,
        "store_u8",
        |mut c: C<'_>, at: i64, value: i32| -> Result<(), Error> {
            Ok(c.data_mut().kernel.store_u8(at as u64, value as u8)?)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "store_u64",
        |mut c: C<'_>, at: i64, value: i64| -> Result<(), Error> {
            Ok(c.data_mut().kernel.store_u64(at as u64, value as u64)?)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "output_set",
        |mut c: C<'_>, at: i64, length: i64| -> Result<(), Error> {
            Ok(c.data_mut().kernel.output_set(at as u64, length as u64)?)
        },
    )?;
    linker.func_wrap(MODULE, "error_set", |mut c: C<'_>, at: i64| {
        c.data_mut().kernel.error_set(at as u64)
    })?;
    linker.func_wrap(MODULE, "config_get", |mut c: C<'_>, key: i64| -> Result<i64, Error> {
        let offset = c.data_mut().kernel.config_get(key as u64)?;
        let moved = c.data().kernel.length(key as u64) + c.data().kernel.length(offset);
        charge(&mut c, moved)?;
        Ok(offset as i64)
    })?;
    linker.func_wrap(MODULE, "var_get", |mut c: C<'_>, key: i64| -> Result<i64, Error> {
        let offset = c.data_mut().kernel.var_get(key as u64)?;
        let moved = c.data().kernel.length(key as u64) + c.data().kernel.length(offset);
        charge(&mut c, moved)?;
        Ok(offset as i64)
    })?;
    linker.func_wrap(
        MODULE,
        "var_set",
        |mut c: C<'_>, key: i64, value: i64| -> Result<(), Error> {
            let moved = c.data().kernel.length(key as u64) + c.data().kernel.length(value as u64);
            charge(&mut c, moved)?;
            Ok(c.data_mut().kernel.var_set(key as u64, value as u64)?)
        },
    )?;
    for (name, level) in [
        ("log_trace", "trace"),
        ("log_debug", "debug"),
        ("log_info", "info"),
        ("log_warn", "warn"),
        ("log_error", "error"),
    ] {
        linker.func_wrap(MODULE, name, move |mut c: C<'_>, at: i64| -> Result<(), Error> {
            let moved = c.data().kernel.length(at as u64).min(super::kernel::LOG_BYTES as u64);
            charge(&mut c, moved)?;
            Ok(c.data_mut().kernel.log(level, at as u64)?)
        })?;
    }
    // Extism's levels: trace 0 .. error 4. Debug and up are kept.
    linker.func_wrap(MODULE, "get_log_level", |_: C<'_>| -> i32 { 1 })?;
    // No network without a grant of its own, which no plugin has yet: the call ends, saying so.
    linker.func_wrap(MODULE, "http_request", |mut c: C<'_>, _request: i64, _body: i64| -> Result<i64, Error> {
        let message = "Permission denied: the plugin made an HTTP request, and plugins have no network access";
        c.data_mut().denied = Some(message.to_owned());
        Err(Error::new(message))
    })?;
    linker.func_wrap(MODULE, "http_status_code", |_: C<'_>| -> i32 { 0 })?;
    linker.func_wrap(MODULE, "http_headers", |_: C<'_>| -> i64 { 0 })?;
    Ok(())
}

//! The Extism kernel, kept by the host: the blocks of memory a plugin allocates through
//! `extism:host/env` (apart from its own linear memory), the input it reads, the output or error
//! it sets, its variables and configuration, and what it logs.
//!
//! Offsets are the kernel's own (block addresses in one byte arena, 0 meaning none), as the
//! Extism plugin ABI gives them: a plugin built with any Extism PDK reads and writes through them.

use std::collections::{BTreeMap, HashMap};

/// Bytes of variables a plugin may keep at most (Extism's own default is 1 MiB).
const VARS_BYTES: usize = 1024 * 1024;
/// Log lines a call keeps at most, and bytes of each.
const LOG_LINES: usize = 1000;
pub(super) const LOG_BYTES: usize = 64 * 1024;

/// One call's kernel.
pub(crate) struct Kernel {
    /// Every block, one after another; offset 0 is never a block's.
    arena: Vec<u8>,
    /// Each live block's length, by offset (ordered: the last one is found at once).
    blocks: BTreeMap<u64, u64>,
    /// Most bytes the arena may hold (the plugin's memory limit counts it too).
    limit: usize,
    input: Vec<u8>,
    output: Option<(u64, u64)>,
    error: Option<u64>,
    config: HashMap<String, String>,
    vars: HashMap<String, Vec<u8>>,
    /// Bytes of `vars`, keys and values.
    vars_bytes: usize,
    /// `(level, text)` of each line the plugin logged.
    pub(crate) logs: Vec<(&'static str, String)>,
}

/// Why a kernel call cannot be answered: the plugin asked for something out of its bounds.
#[derive(Debug)]
pub(crate) struct Fault(pub(crate) String);

impl Kernel {
    pub(crate) fn new(input: Vec<u8>, config: HashMap<String, String>, limit: usize) -> Kernel {
        Kernel {
            // Offset 0 is "none": the first block starts after it.
            arena: vec![0; 8],
            blocks: BTreeMap::new(),
            limit,
            input,
            output: None,
            error: None,
            config,
            vars: HashMap::new(),
            vars_bytes: 0,
            logs: Vec::new(),
        }
    }

    pub(crate) fn input_length(&self) -> u64 {
        self.input.len() as u64
    }

    pub(crate) fn input_load_u8(&self, offset: u64) -> Result<u8, Fault> {
        usize::try_from(offset)
            .ok()
            .and_then(|at| self.input.get(at).copied())
            .ok_or_else(|| Fault(format!("input_load_u8 at {offset}, past the input's end")))
    }

    pub(crate) fn input_load_u64(&self, offset: u64) -> Result<u64, Fault> {
        let bytes = range(&self.input, offset, 8)
            .ok_or_else(|| Fault(format!("input_load_u64 at {offset}, past the input's end")))?;
        Ok(u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])))
    }

    /// A new block of `length` bytes (zeroed); 0 when the arena would pass its limit.
    pub(crate) fn alloc(&mut self, length: u64) -> u64 {
        let Ok(length_usize) = usize::try_from(length) else { return 0 };
        // Blocks start 8-byte aligned, as Extism's own kernel does.
        let start = self.arena.len().next_multiple_of(8);
        let Some(end) = start.checked_add(length_usize.max(1)) else { return 0 };
        if end > self.limit {
            return 0;
        }
        self.arena.resize(end, 0);
        self.blocks.insert(start as u64, length);
        start as u64
    }

    pub(crate) fn free(&mut self, offset: u64) {
        if self.blocks.remove(&offset).is_some() {
            // The room after the last live block is taken back; the others' stays (a bump arena).
            let end = self.blocks.last_key_value().map_or(8, |(at, len)| at + (*len).max(1));
            if let Ok(end) = usize::try_from(end) {
                self.arena.truncate(end.max(8));
            }
        }
    }

    pub(crate) fn length(&self, offset: u64) -> u64 {
        self.blocks.get(&offset).copied().unwrap_or(0)
    }

    pub(crate) fn load_u8(&self, offset: u64) -> Result<u8, Fault> {
        Ok(self.bytes(offset, 1, "load_u8")?[0])
    }

    pub(crate) fn load_u64(&self, offset: u64) -> Result<u64, Fault> {
        let bytes = self.bytes(offset, 8, "load_u64")?;
        Ok(u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])))
    }

    pub(crate) fn store_u8(&mut self, offset: u64, value: u8) -> Result<(), Fault> {
        self.bytes_mut(offset, 1, "store_u8")?[0] = value;
        Ok(())
    }

    pub(crate) fn store_u64(&mut self, offset: u64, value: u64) -> Result<(), Fault> {
        self.bytes_mut(offset, 8, "store_u64")?.copy_from_slice(&value.to_le_bytes());
        Ok(())
    }

    pub(crate) fn output_set(&mut self, offset: u64, length: u64) -> Result<(), Fault> {
        self.bytes(offset, length, "output_set")?;
        self.output = Some((offset, length));
        Ok(())
    }

    /// Sets the call's error message (offset 0 clears it, as Extism's kernel does).
    pub(crate) fn error_set(&mut self, offset: u64) {
        self.error = (offset != 0).then_some(offset);
    }

    /// The block holding the value of configuration key `key_offset` names, or 0.
    pub(crate) fn config_get(&mut self, key_offset: u64) -> Result<u64, Fault> {
        let key = self.text(key_offset)?;
        match self.config.get(&key).cloned() {
            Some(value) => self.block_of(value.as_bytes()),
            None => Ok(0),
        }
    }

    pub(crate) fn var_get(&mut self, key_offset: u64) -> Result<u64, Fault> {
        let key = self.text(key_offset)?;
        match self.vars.get(&key).cloned() {
            Some(value) => self.block_of(&value),
            None => Ok(0),
        }
    }

    /// Sets (or, with value offset 0, removes) a variable.
    pub(crate) fn var_set(&mut self, key_offset: u64, value_offset: u64) -> Result<(), Fault> {
        let key = self.text(key_offset)?;
        let old = self.vars.get(&key).map_or(0, |v| key.len() + v.len());
        if value_offset == 0 {
            self.vars.remove(&key);
            self.vars_bytes -= old;
            return Ok(());
        }
        let value = self.block(value_offset)?;
        let bytes = self.vars_bytes - old + key.len() + value.len();
        if bytes > VARS_BYTES {
            return Err(Fault(format!("var_set: variables past {VARS_BYTES} bytes")));
        }
        let value = value.to_vec();
        self.vars.insert(key, value);
        self.vars_bytes = bytes;
        Ok(())
    }

    pub(crate) fn log(&mut self, level: &'static str, offset: u64) -> Result<(), Fault> {
        let bytes = self.block(offset)?;
        if self.logs.len() < LOG_LINES {
            // Cut before it is copied: a line keeps no more than it shows.
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LOG_BYTES)]).into_owned();
            self.logs.push((level, text));
        }
        Ok(())
    }

    /// What the plugin set as its output (empty when it set none).
    pub(crate) fn output(&self) -> Vec<u8> {
        self.output
            .and_then(|(offset, length)| self.bytes(offset, length, "output").ok())
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// The error message the plugin set, if it set one.
    pub(crate) fn error(&self) -> Option<String> {
        self.error.map(|offset| {
            self.text(offset).unwrap_or_else(|_| "(an unreadable message)".to_owned())
        })
    }

    /// A block's whole contents.
    pub(crate) fn block(&self, offset: u64) -> Result<&[u8], Fault> {
        let length = self
            .blocks
            .get(&offset)
            .copied()
            .ok_or_else(|| Fault(format!("no block at {offset}")))?;
        self.bytes(offset, length, "a block")
    }

    fn text(&self, offset: u64) -> Result<String, Fault> {
        Ok(String::from_utf8_lossy(self.block(offset)?).into_owned())
    }

    /// A new block holding `bytes`.
    pub(crate) fn block_of(&mut self, bytes: &[u8]) -> Result<u64, Fault> {
        let offset = self.alloc(bytes.len() as u64);
        if offset == 0 {
            return Err(Fault("the kernel's memory is full".to_owned()));
        }
        self.bytes_mut(offset, bytes.len() as u64, "a new block")?.copy_from_slice(bytes);
        Ok(offset)
    }

    fn bytes(&self, offset: u64, length: u64, what: &str) -> Result<&[u8], Fault> {
        range(&self.arena, offset, length).filter(|_| offset != 0).ok_or_else(|| {
            Fault(format!("{what} at {offset} (+{length}) is outside the plugin's memory"))
        })
    }

    fn bytes_mut(&mut self, offset: u64, length: u64, what: &str) -> Result<&mut [u8], Fault> {
        let len = self.arena.len();
        let ok = offset != 0 && offset.checked_add(length).is_some_and(|end| end <= len as u64);
        if !ok {
            return Err(Fault(format!(
                "{what} at {offset} (+{length}) is outside the plugin's memory"
            )));
        }
        // Both fit in usize: they are within the arena's length.
        Ok(&mut self.arena[offset as usize..(offset + length) as usize])
    }
}

/// `bytes[offset..offset + length]`, when it is all there.
fn range(bytes: &[u8], offset: u64, length: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(length).ok()?)?;
    bytes.get(start..end)
}

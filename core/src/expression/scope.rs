//! Compile-time scopes of one function: which names are visible, in which frame slot, and
//! whether their declaration has completed. Lookups are hash-based, so compiling stays
//! linear even for sources with thousands of bindings.

use std::collections::HashMap;

use super::error::ExpressionError;
use super::ir::Capture;

type CResult<T> = Result<T, ExpressionError>;

struct Binding {
    slot: u32,
    /// Index of the block that declared it.
    block: usize,
    /// The declaration has completed (uses before that are refused).
    ready: bool,
}

/// What a name refers to inside one function.
pub(super) enum Found {
    Slot(u32),
    Uninitialized,
    Missing,
}

#[derive(Default)]
pub(super) struct FnScope {
    /// Visible bindings per name, innermost last.
    names: HashMap<String, Vec<Binding>>,
    /// Names declared in each open block, to undo when the block closes.
    blocks: Vec<Vec<String>>,
    /// Captured names of enclosing functions → this function's slot.
    captured: HashMap<String, u32>,
    captures: Vec<Capture>,
    nslots: u32,
}

impl FnScope {
    pub fn nslots(&self) -> u32 {
        self.nslots
    }

    pub fn into_captures(self) -> Vec<Capture> {
        self.captures
    }

    fn alloc_slot(&mut self, pos: usize) -> CResult<u32> {
        let slot = self.nslots;
        self.nslots = self
            .nslots
            .checked_add(1)
            .ok_or_else(|| ExpressionError::syntax("Too many variables", pos))?;
        Ok(slot)
    }

    pub fn push_block(&mut self) {
        self.blocks.push(Vec::new());
    }

    pub fn pop_block(&mut self) {
        for name in self.blocks.pop().unwrap_or_default() {
            if let Some(stack) = self.names.get_mut(&name) {
                stack.pop();
            }
        }
    }

    /// Declares `name` in the innermost block (not yet initialised).
    pub fn declare(&mut self, name: &str, pos: usize) -> CResult<()> {
        let block = self.blocks.len().saturating_sub(1);
        if self.names.get(name).and_then(|s| s.last()).is_some_and(|b| b.block == block) {
            return Err(ExpressionError::syntax(
                format!("Identifier '{name}' has already been declared"),
                pos,
            ));
        }
        let slot = self.alloc_slot(pos)?;
        self.names.entry(name.to_string()).or_default().push(Binding { slot, block, ready: false });
        if let Some(names) = self.blocks.last_mut() {
            names.push(name.to_string());
        }
        Ok(())
    }

    /// Marks the innermost declaration of `name` initialised and returns its slot.
    pub fn init(&mut self, name: &str, pos: usize) -> CResult<u32> {
        let b = self.names.get_mut(name).and_then(|s| s.last_mut()).ok_or_else(|| {
            ExpressionError::syntax(format!("internal: '{name}' not declared"), pos)
        })?;
        b.ready = true;
        Ok(b.slot)
    }

    /// Resolves `name` among this function's own bindings and captures.
    pub fn find(&self, name: &str) -> Found {
        if let Some(b) = self.names.get(name).and_then(|s| s.last()) {
            return if b.ready { Found::Slot(b.slot) } else { Found::Uninitialized };
        }
        match self.captured.get(name) {
            Some(&slot) => Found::Slot(slot),
            None => Found::Missing,
        }
    }

    /// Adds a capture of an enclosing function's slot `from`; returns the local slot.
    pub fn capture(&mut self, name: &str, from: u32, pos: usize) -> CResult<u32> {
        let to = self.alloc_slot(pos)?;
        self.captured.insert(name.to_string(), to);
        self.captures.push(Capture { from, to });
        Ok(to)
    }
}

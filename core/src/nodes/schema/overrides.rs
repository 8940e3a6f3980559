//! The per-field UI overrides a schema declares; the catalog merges them over the derived
//! field configs. Declared in every build (schemas name them), read only by the catalog.

/// Per-field UI overrides, merged over the derived config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldOverrides {
    pub control: Option<&'static str>,
    pub label: Option<&'static str>,
    pub placeholder: Option<&'static str>,
    pub help_text: Option<&'static str>,
    pub rows: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
    /// `(value, label)` pairs.
    pub options: Option<&'static [(&'static str, &'static str)]>,
    /// Validated and used, but not offered as an editor field (advanced parameters this engine
    /// adds, such as `dataPath`).
    pub hidden: bool,
}

impl FieldOverrides {
    pub const NONE: FieldOverrides = FieldOverrides {
        control: None,
        label: None,
        placeholder: None,
        help_text: None,
        rows: None,
        min: None,
        max: None,
        step: None,
        options: None,
        hidden: false,
    };

    /// Not offered as an editor field.
    pub const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    pub const fn control(mut self, control: &'static str) -> Self {
        self.control = Some(control);
        self
    }
    pub const fn label(mut self, label: &'static str) -> Self {
        self.label = Some(label);
        self
    }
    pub const fn placeholder(mut self, placeholder: &'static str) -> Self {
        self.placeholder = Some(placeholder);
        self
    }
    pub const fn help_text(mut self, help_text: &'static str) -> Self {
        self.help_text = Some(help_text);
        self
    }
    pub const fn rows(mut self, rows: u32) -> Self {
        self.rows = Some(rows);
        self
    }
    pub const fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }
    pub const fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }
    pub const fn step(mut self, step: f64) -> Self {
        self.step = Some(step);
        self
    }
    pub const fn options(mut self, options: &'static [(&'static str, &'static str)]) -> Self {
        self.options = Some(options);
        self
    }
}

//! Reading and writing flows: JSON, plain YAML, and the YAML flow format of the templates.

pub mod defaults;
mod flow_yaml;
mod js_string;
mod json;
mod json_document;
mod json_writer;
mod retry_after;
mod template;
mod time;
mod yaml_reader;
mod yaml_writer;

pub use flow_yaml::{
    definition_to_yaml, flow_from_value, parse_definition_yaml, parse_flow_yaml,
    parse_flow_yaml_documents,
};
pub use js_string::js_string;
pub use json::{
    definition_to_json, parse_definition_json, parse_definition_json_measured, parse_json_value,
    parse_shallow_definition_json,
};
pub use json_document::{json_stringify, to_json_document};
pub use json_writer::write_json;
pub use retry_after::retry_after_ms;
pub use template::{render_template, value_at, TemplateStyle};
pub use time::{days_from_civil, iso_date_from_days, iso_timestamp, utc_date_string};
pub use yaml_reader::{parse_yaml_documents, parse_yaml_value};
pub use yaml_writer::to_yaml_string;

pub use crate::value::json::SHALLOW_JSON_DEPTH;
pub use crate::value::{js_number, ParseLimits};

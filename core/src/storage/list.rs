//! `listFlows` options and results (paging and sorting as the TypeScript engine's storage channel did).

use serde::{Deserialize, Serialize};

/// Sort field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    #[default]
    SavedAt,
    Name,
    UpdatedAt,
    CreatedAt,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// `{limit = 50, offset = 0, sortBy = "savedAt", sortOrder = "desc"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOptions {
    pub limit: usize,
    pub offset: usize,
    pub sort_by: SortBy,
    pub sort_order: SortOrder,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions { limit: 50, offset: 0, sort_by: SortBy::SavedAt, sort_order: SortOrder::Desc }
    }
}

impl ListOptions {
    /// The options' JSON text (`null`: the defaults); an unknown field or a bad value is a
    /// `VALIDATION_FAILED` error naming it. Read by hand, as the conductor config is
    /// ([`crate::options::read`]).
    pub fn from_json(text: &str) -> crate::error::Result<ListOptions> {
        let value: crate::value::Value = serde_json::from_str(text)
            .map_err(|e| crate::options::serde_error::invalid("list options", &e))?;
        let fields = crate::options::read::Fields::of(
            Some(&value),
            "list options",
            &["limit", "offset", "sortBy", "sortOrder"],
        )?;
        let defaults = ListOptions::default();
        let sort_by = fields.read(
            "sortBy",
            "one of \"savedAt\", \"name\", \"updatedAt\", \"createdAt\"",
            |value| match value.as_str()? {
                "savedAt" => Some(SortBy::SavedAt),
                "name" => Some(SortBy::Name),
                "updatedAt" => Some(SortBy::UpdatedAt),
                "createdAt" => Some(SortBy::CreatedAt),
                _ => None,
            },
        )?;
        let sort_order =
            fields.read("sortOrder", "\"asc\" or \"desc\"", |value| match value.as_str()? {
                "asc" => Some(SortOrder::Asc),
                "desc" => Some(SortOrder::Desc),
                _ => None,
            })?;
        Ok(ListOptions {
            limit: fields.whole("limit")?.unwrap_or(defaults.limit),
            offset: fields.whole("offset")?.unwrap_or(defaults.offset),
            sort_by: sort_by.unwrap_or(defaults.sort_by),
            sort_order: sort_order.unwrap_or(defaults.sort_order),
        })
    }
}

/// One listed flow: the desktop channel's fields plus the browser type's `createdAt` /
/// `modifiedAt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StoredFlowItem"))]
pub struct FlowListItem {
    pub id: String,
    pub name: String,
    pub node_count: usize,
    pub saved_at: String,
    pub updated_at: String,
    pub created_at: String,
    pub modified_at: String,
    pub version: String,
}

/// `{flows, total}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StoredFlowPage"))]
pub struct FlowListPage {
    pub flows: Vec<FlowListItem>,
    pub total: usize,
}

#[cfg(test)]
mod tests {
    use super::{ListOptions, SortBy, SortOrder};

    #[test]
    fn list_options_are_read_with_their_defaults_and_refused_when_wrong() {
        let read = ListOptions::from_json(r#"{"limit": 5, "sortBy": "name", "sortOrder": "asc"}"#)
            .expect("valid options");
        assert_eq!(
            (read.limit, read.offset, read.sort_by, read.sort_order),
            (5, 0, SortBy::Name, SortOrder::Asc)
        );
        let defaults = ListOptions::from_json("null").expect("null is the defaults");
        assert_eq!(
            (defaults.limit, defaults.sort_by, defaults.sort_order),
            (50, SortBy::SavedAt, SortOrder::Desc)
        );
        for (text, says) in [
            (r#"{"sortby": "name"}"#, "unknown option 'sortby' (did you mean 'sortBy'?)"),
            (r#"{"sortBy": "size"}"#, "'sortBy' must be one of \"savedAt\", \"name\", \"updatedAt\", \"createdAt\", not text \"size\""),
            (r#"{"limit": -1}"#, "'limit' must be a whole number of at least 0, not number -1"),
            (r#"{"offset": "2"}"#, "'offset' must be a whole number of at least 0, not text \"2\""),
        ] {
            let error = ListOptions::from_json(text).expect_err(text);
            assert_eq!(error.message, format!("Invalid list options: {says}"), "{text}");
        }
    }
}

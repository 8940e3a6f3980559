//! `listFlows` options and results (paging and sorting as the TypeScript engine's storage channel did).

use serde::{Deserialize, Serialize};

/// Sort field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
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
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
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

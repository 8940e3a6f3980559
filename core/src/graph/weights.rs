//! Node weights (the TypeScript engine `DEFAULT_NODE_WEIGHTS`), used by progress and the critical path.

/// Weight of a node type. `http-request` weighs 500: the TypeScript engine's table keyed it as
/// `httpRequest`, so the real node type silently weighed 100 (fixed: COMPATIBILITY.md "Weights").
pub fn default_weight(node_type: &str) -> u32 {
    match node_type {
        "http-request" | "httpRequest" => 500,
        "email" => 800,
        "fileRead" => 100,
        "fileWrite" | "file-system" => 200,
        "database" => 300,
        "edit-fields" => 80,
        "transform" => 50,
        "condition" => 10,
        "loop" => 20,
        "delay" => 1000,
        _ => 100,
    }
}

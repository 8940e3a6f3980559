// The large table the database streaming test and bench read, and the flow they run over it.

/**
 * The statements that make `big`: `rows` rows of an id, a 32-character name and a score that
 * is distinct per row (7919 and the prime 1,000,003 are coprime), made on the server.
 */
export function bigTable(rows) {
  return [
    "DROP TABLE IF EXISTS big",
    `CREATE TABLE big AS SELECT g AS id, md5(g::text) AS name, ((g::bigint * 7919) % 1000003)::int AS score FROM generate_series(1, ${rows}) g`,
  ];
}

/** The query the flow runs, and what `psql \copy` runs in the bench. */
export const BIG_QUERY = "SELECT id, name, score FROM big";

/** A flow: every row of `big`, sorted by score (highest first), written to `output` as JSON lines. */
export function queryToFile(credential, output) {
  return {
    id: "big-to-file",
    type: "group",
    nodes: [
      {
        id: "read",
        type: "database",
        parameters: { credential, query: BIG_QUERY, maxRows: 10_000_000, maxBytes: 2 ** 32 },
      },
      { id: "sort", type: "transform", parameters: { operation: "sort", sortKey: "score", sortDirection: "desc" } },
      { id: "save", type: "file-system", parameters: { operation: "write", path: output, format: "jsonl" } },
    ],
    edges: [
      { id: "e1", source: "read", target: "sort", targetHandle: "data" },
      { id: "e2", source: "sort", target: "save", targetHandle: "input" },
    ],
  };
}

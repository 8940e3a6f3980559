//! What differs between the three databases in the SQL the node writes itself: placeholders,
//! quoting, upserts, and how many values one statement may bind.

/// A database's SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    /// The dialect of a credential's type (`postgres`/`postgresql`, `mysql`/`mariadb`,
    /// `sqlite`); `None` for any other.
    pub fn of(kind: &str) -> Option<Dialect> {
        match kind.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// The placeholder of the `n`th value (from 1).
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql | Dialect::Sqlite => "?".to_owned(),
        }
    }

    /// A name checked by `is_name` (letters, digits, `_`, optionally `schema.name`), quoted.
    pub fn quote(self, name: &str) -> String {
        let quote = match self {
            Dialect::Mysql => '`',
            Dialect::Postgres | Dialect::Sqlite => '"',
        };
        name.split('.').map(|part| format!("{quote}{part}{quote}")).collect::<Vec<_>>().join(".")
    }

    /// The most values one statement binds: PostgreSQL's and MySQL's protocol limit, SQLite's
    /// default `SQLITE_MAX_VARIABLE_NUMBER`.
    pub fn max_values(self) -> usize {
        match self {
            Dialect::Postgres | Dialect::Mysql => 65_535,
            Dialect::Sqlite => 32_766,
        }
    }

    /// The clause after an INSERT's values that makes it an upsert on `conflict`, updating
    /// `columns` (those not in `conflict`). MySQL upserts on any unique key the row meets.
    pub fn upsert(self, conflict: &[String], columns: &[String]) -> String {
        let updated: Vec<&String> = columns.iter().filter(|c| !conflict.contains(c)).collect();
        match self {
            Dialect::Postgres | Dialect::Sqlite => {
                let keys: Vec<String> = conflict.iter().map(|c| self.quote(c)).collect();
                if updated.is_empty() {
                    return format!(" ON CONFLICT ({}) DO NOTHING", keys.join(", "));
                }
                let sets: Vec<String> =
                    updated.iter().map(|c| format!("{0} = EXCLUDED.{0}", self.quote(c))).collect();
                format!(" ON CONFLICT ({}) DO UPDATE SET {}", keys.join(", "), sets.join(", "))
            }
            Dialect::Mysql => {
                // With nothing to update, a key column set to itself keeps the row as it was.
                let targets = if updated.is_empty() { conflict.iter().collect() } else { updated };
                let sets: Vec<String> =
                    targets.iter().map(|c| format!("{0} = VALUES({0})", self.quote(c))).collect();
                format!(" ON DUPLICATE KEY UPDATE {}", sets.join(", "))
            }
        }
    }
}

//! Flow storage in PostgreSQL (`storage: {type: "postgres", url}`): each key's text in a row of
//! `atomiton_storage`, shared by every process that names the database — the producers of a
//! fleet, or servers behind a load balancer. A write is one statement (an upsert): a reader never
//! sees half a flow. It shares its database's link with the result cache and triggers there
//! (`shared.rs`); the connection is made (and the tables migrated) on the first request the
//! server answers, so a conductor starts before its database.

use atomiton_core::host::effects::EffectResult;
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;

use super::shared::SharedLink;

/// Saved flows in a PostgreSQL database.
pub struct PostgresStorage {
    link: SharedLink,
}

impl PostgresStorage {
    /// Flows in the database at `url` (a `postgres://` URL or key-value settings, TLS included).
    /// A URL this client cannot use is an error; a server that cannot be reached yet is not.
    pub fn open(url: &str) -> Result<PostgresStorage, String> {
        Ok(PostgresStorage { link: SharedLink::open(url, "Flow storage")? })
    }

    /// Runs `job` with the connection on its link's thread.
    fn job<T: Send + 'static>(
        &self,
        job: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> BoxFuture<'static, EffectResult<T>> {
        crate::storage::as_effect(self.link.job(job))
    }

    /// Keeps `text` under `key` when no row has it, in one statement (the mail ledger's claim):
    /// `true` when this call wrote it.
    pub(crate) fn create_row(
        &self,
        key: &str,
        text: String,
    ) -> BoxFuture<'static, EffectResult<bool>> {
        let key = key.to_owned();
        self.job(move |client| {
            let written = client.execute(
                "INSERT INTO atomiton_storage (key, text, saved_at) VALUES ($1, $2, now())
                    ON CONFLICT (key) DO NOTHING",
                &[&key, &text],
            )?;
            Ok(written == 1)
        })
    }
}

impl StorageBackend for PostgresStorage {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        self.job(|client| {
            let rows = client.query("SELECT key FROM atomiton_storage", &[])?;
            rows.iter().map(|row| row.try_get(0)).collect()
        })
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let key = key.to_owned();
        self.job(move |client| {
            let row =
                client.query_opt("SELECT text FROM atomiton_storage WHERE key = $1", &[&key])?;
            row.map(|row| row.try_get(0)).transpose()
        })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let key = key.to_owned();
        self.job(move |client| {
            client.execute(
                "INSERT INTO atomiton_storage (key, text, saved_at) VALUES ($1, $2, now())
                    ON CONFLICT (key) DO UPDATE SET text = EXCLUDED.text, saved_at = EXCLUDED.saved_at",
                &[&key, &text],
            )?;
            Ok(())
        })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let key = key.to_owned();
        self.job(move |client| {
            Ok(client.execute("DELETE FROM atomiton_storage WHERE key = $1", &[&key])? > 0)
        })
    }
}

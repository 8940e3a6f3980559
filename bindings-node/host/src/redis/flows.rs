//! Flow storage in Redis (a queue's saved flows, shared by every producer): each key's text in a
//! field of one hash. A write is one `HSET`: a reader never sees half a flow. One thread owns the
//! connection, as the history's does (see `store_thread.rs`), and requests wait for it at most
//! the stores' deadline.
//!
//! Flows saved by earlier versions of the package, which kept them from TypeScript as codec text
//! under `flows/<id>` fields of the same hash, are moved to this layout (`<id>.flow.yaml`, the
//! flow store's YAML) the first time the server is reached: an upgraded producer reads them.

use atomiton_core::host::effects::EffectResult;
use atomiton_core::host::BoxFuture;
use atomiton_core::storage::StorageBackend;

use super::link::Link;
use crate::store_thread::Queue;

/// The field prefix of the earlier layout.
const LEGACY_PREFIX: &str = "flows/";
/// The flow store's key suffix (`atomiton_core::storage`).
const SUFFIX: &str = ".flow.yaml";

/// The connection, and whether the earlier layout has been moved yet.
struct Flows {
    link: Link,
    upgraded: bool,
}

impl Flows {
    /// Moves every `flows/<id>` field to `<id>.flow.yaml` (unless a flow of that id was saved
    /// since), once per process; a field that cannot be read as a flow is left where it is.
    fn upgrade(&mut self) -> Result<(), String> {
        if self.upgraded {
            return Ok(());
        }
        let hash = self.link.prefix().to_owned();
        let fields: Vec<String> = self.link.command(redis::cmd("HKEYS").arg(&hash))?;
        for field in fields.iter().filter(|f| f.starts_with(LEGACY_PREFIX)) {
            let id = &field[LEGACY_PREFIX.len()..];
            let text: Option<String> =
                self.link.command(redis::cmd("HGET").arg(&hash).arg(field))?;
            let Some(yaml) = text.as_deref().and_then(legacy_as_yaml) else { continue };
            let _: bool = self
                .link
                .command(redis::cmd("HSETNX").arg(&hash).arg(format!("{id}{SUFFIX}")).arg(yaml))?;
            let _: i64 = self.link.command(redis::cmd("HDEL").arg(&hash).arg(field))?;
        }
        self.upgraded = true;
        Ok(())
    }

    /// `cmd` on the flows' hash, after the upgrade.
    fn run<T: redis::FromRedisValue>(
        &mut self,
        build: impl FnOnce(&mut redis::Cmd),
        name: &str,
    ) -> Result<T, String> {
        self.upgrade()?;
        let mut cmd = redis::cmd(name);
        cmd.arg(self.link.prefix());
        build(&mut cmd);
        self.link.command(&cmd)
    }
}

/// A flow the TypeScript store wrote (codec text of the flow object) as the flow store's YAML.
fn legacy_as_yaml(text: &str) -> Option<String> {
    let flow = atomiton_core::value::codec::from_json(text).ok()?;
    flow.as_object()?;
    Some(atomiton_core::format::to_yaml_string(&flow))
}

/// Saved flows in one Redis hash.
pub struct RedisStorage {
    queue: Queue<Flows>,
}

impl RedisStorage {
    /// Flows in the hash `key` of the server at `url` (`redis://[:password@]host[:port][/db]`).
    /// A URL this client cannot use is an error; a server that cannot be reached yet is not.
    pub fn open(url: &str, key: &str) -> Result<RedisStorage, String> {
        let link = Link::open(url, key, &[])?;
        let queue = Queue::jobs(Flows { link, upgraded: false }, "Flow storage")
            .map_err(|e| format!("flow storage cannot start its thread: {e}"))?
            .with_deadline();
        Ok(RedisStorage { queue })
    }

    fn job<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Flows) -> Result<T, String> + Send + 'static,
    ) -> BoxFuture<'static, EffectResult<T>> {
        crate::storage::as_effect(self.queue.read(job))
    }

    /// `command` (`HSET`, `HSETNX`) with `text` under `key`: how many fields it added.
    fn set(
        &self,
        command: &'static str,
        key: &str,
        text: String,
    ) -> impl std::future::Future<Output = EffectResult<i64>> + Send + 'static {
        let key = key.to_owned();
        self.job(move |flows| {
            flows.run::<i64>(
                |cmd| {
                    cmd.arg(key).arg(text);
                },
                command,
            )
        })
    }

    /// Keeps `text` under `key` when the hash has no such field, in one command (`HSETNX`, the
    /// mail ledger's claim): `true` when this call wrote it.
    pub(crate) fn create_field(
        &self,
        key: &str,
        text: String,
    ) -> BoxFuture<'static, EffectResult<bool>> {
        let set = self.set("HSETNX", key, text);
        Box::pin(async move { set.await.map(|added| added == 1) })
    }
}

impl StorageBackend for RedisStorage {
    fn keys(&self) -> BoxFuture<'static, EffectResult<Vec<String>>> {
        self.job(|flows| flows.run(|_| {}, "HKEYS"))
    }

    fn read(&self, key: &str) -> BoxFuture<'static, EffectResult<Option<String>>> {
        let key = key.to_owned();
        self.job(move |flows| {
            flows.run(
                |cmd| {
                    cmd.arg(key);
                },
                "HGET",
            )
        })
    }

    fn write(&self, key: &str, text: String) -> BoxFuture<'static, EffectResult<()>> {
        let set = self.set("HSET", key, text);
        Box::pin(async move { set.await.map(drop) })
    }

    fn remove(&self, key: &str) -> BoxFuture<'static, EffectResult<bool>> {
        let key = key.to_owned();
        self.job(move |flows| {
            flows
                .run::<i64>(
                    |cmd| {
                        cmd.arg(key);
                    },
                    "HDEL",
                )
                .map(|n| n > 0)
        })
    }
}

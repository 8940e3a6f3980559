//! Where a native conductor's credentials key comes from, in this order:
//!
//! 1. `ATOMITON_CREDENTIALS_KEY`: the key itself (64 hex digits or base64 of 32 bytes);
//! 2. `ATOMITON_CREDENTIALS_KEY_FILE`: a file holding it, which only its owner may read;
//! 3. a conductor keeping its flows in files: `credentials.key` in that directory, made (owner
//!    read/write only) the first time a credential is set, and checked like the variable's;
//! 4. a conductor keeping them in PostgreSQL or Redis: none — every process sharing the
//!    credentials must be given the same key, so without 1 or 2 the credentials are locked;
//! 5. a memory conductor: a random key of its own (its credentials go when it does).
//!
//! A key file others may read (any group or other permission bit) is refused, never used: the
//! key is as secret as every credential it opens. (On Windows, where files carry ACLs rather
//! than mode bits, the file's directory is trusted to be the user's.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use atomiton_credentials::{Key, KeySource};

/// The variable holding the key.
pub const KEY_VARIABLE: &str = "ATOMITON_CREDENTIALS_KEY";
/// The variable naming a key file.
pub const KEY_FILE_VARIABLE: &str = "ATOMITON_CREDENTIALS_KEY_FILE";
/// A files conductor's own key file, in its storage directory.
pub const KEY_FILE_NAME: &str = "credentials.key";

/// Where the credentials of a conductor are kept, as far as its key is concerned.
#[derive(Debug, Clone)]
pub enum Keeping {
    /// In files in this directory (the key file may be made there).
    Directory(PathBuf),
    /// Shared with other processes through this store (`"PostgreSQL"`, `"Redis"`).
    Shared(&'static str),
    /// In this process's memory.
    Memory,
}

/// The key source of a conductor whose credentials are kept as `keeping` says.
pub fn key_source(keeping: Keeping) -> KeySource {
    let random = std::sync::OnceLock::new();
    Arc::new(move |create| {
        if let Some(text) = std::env::var_os(KEY_VARIABLE) {
            let text = text.to_str().ok_or(format!("{KEY_VARIABLE} is not valid text"))?;
            return Key::parse(text).map_err(|e| format!("{KEY_VARIABLE}: {e}"));
        }
        if let Some(path) = std::env::var_os(KEY_FILE_VARIABLE) {
            return read_key_file(Path::new(&path));
        }
        match &keeping {
            Keeping::Directory(directory) => {
                let path = directory.join(KEY_FILE_NAME);
                match (path.exists(), create) {
                    (true, _) => read_key_file(&path),
                    (false, true) => make_key_file(&path),
                    (false, false) => Err(format!(
                        "no key was given ({KEY_VARIABLE}, {KEY_FILE_VARIABLE}) and {} does not exist",
                        path.display()
                    )),
                }
            }
            Keeping::Shared(store) => Err(format!(
                "credentials shared through {store} need {KEY_VARIABLE} or {KEY_FILE_VARIABLE}, the same key in every process"
            )),
            Keeping::Memory => random.get_or_init(Key::random).clone(),
        }
    })
}

/// The key in the file at `path`, refused when others may read the file.
fn read_key_file(path: &Path) -> Result<Key, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| format!("the key file {shown}: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("the key file {shown} is not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = metadata.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {shown} may be read by others (mode {mode:o}): make it the owner's only (chmod 600)"
            ));
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if metadata.uid() != me {
            return Err(format!("the key file {shown} belongs to another user"));
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("the key file {shown}: {e}"))?;
    Key::parse(&text).map_err(|e| format!("the key file {shown}: {e}"))
}

/// A new random key written to a new file at `path`, readable by its owner only. Written whole
/// to a temporary file, then linked into place: a process racing this one reads either no file
/// or the whole key of the one that won, and both end up with that key.
fn make_key_file(path: &Path) -> Result<Key, String> {
    let shown = path.display();
    let failed = |e: std::io::Error| format!("the key file {shown}: {e}");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let key = Key::random()?;
    // Unique per call, not only per process: conductors of one process making the file at once
    // must not share (and remove) each other's temporary file.
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_extension(format!("key.{}.{call}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    // The temporary name goes whatever happened; the key is at `path` or was never placed.
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(key),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(error) => Err(failed(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many conductors of one process making the key file of one directory at the same moment
    /// (threads released together, again and again): each gets a key, all get the same one, and
    /// no temporary file is left. With one temporary name per process, one maker removed
    /// another's temporary file between its write and its link, and that maker failed.
    #[test]
    fn conductors_of_one_process_making_the_key_at_once_all_get_the_one_key() {
        const MAKERS: usize = 12;
        for round in 0..40 {
            let directory = std::env::temp_dir().join(format!(
                "atomiton-key-race-{}-{}-{round}",
                std::process::id(),
                fastrand::u64(..)
            ));
            let start = Arc::new(std::sync::Barrier::new(MAKERS));
            let makers: Vec<_> = (0..MAKERS)
                .map(|_| {
                    let directory = directory.clone();
                    let start = Arc::clone(&start);
                    std::thread::spawn(move || {
                        let path = directory.join(KEY_FILE_NAME);
                        start.wait();
                        make_key_file(&path).and_then(|made| {
                            // Whoever linked it first, the key on disk is the one every maker got.
                            let read = read_key_file(&path)?;
                            (read == made).then_some(made).ok_or("another key".to_owned())
                        })
                    })
                })
                .collect();
            let keys: Vec<Key> = makers
                .into_iter()
                .map(|maker| match maker.join() {
                    Ok(Ok(key)) => key,
                    Ok(Err(error)) => panic!("round {round}: a maker failed: {error}"),
                    Err(_) => panic!("round {round}: a maker panicked"),
                })
                .collect();
            assert!(keys.windows(2).all(|pair| pair[0] == pair[1]), "round {round}: two keys");
            let left: Vec<_> = std::fs::read_dir(&directory)
                .map(|entries| entries.flatten().map(|entry| entry.file_name()).collect())
                .unwrap_or_default();
            assert_eq!(left, vec![std::ffi::OsString::from(KEY_FILE_NAME)], "round {round}");
            let _ = std::fs::remove_dir_all(&directory);
        }
    }
}

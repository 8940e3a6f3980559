//! Replays every kept corpus file and crash reproducer through its fuzz target, on stable: what
//! fuzzing found stays fixed, and the corpora keep exercising the parsers in the normal suite.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The memory the replay may hold at once: as much as a fuzz run may use (`scripts/fuzz.sh`'s
/// `-rss_limit_mb=2048`). An input that needs more is a finding; the allocation fails and the
/// test process aborts naming its size, instead of taking the machine's memory (a replay once
/// grew to 8 GB).
const CAP_BYTES: usize = 2 << 30;

struct Capped;

static HELD: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged, except that an allocation that would
// take the total past the cap is refused with a null pointer, as any allocator may refuse one.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size() > CAP_BYTES {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout is passed on as it came.
        let ptr = unsafe { System.alloc(layout) };
        if ptr.is_null() {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_corpus_file_and_reproducer_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut replayed = 0;
    for (name, target) in atomiton_fuzz_targets::TARGETS {
        let corpus = files_under(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} has no seeds");
        for file in corpus.iter().chain(files_under(&root.join("artifacts").join(name)).iter()) {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // A panic names the file, so a failure can be reproduced with `cargo fuzz run`.
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", file.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0);
    eprintln!("replayed {replayed} inputs");
}

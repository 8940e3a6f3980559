//! Replays every kept corpus file and crash reproducer through its fuzz target, on stable: what
//! fuzzing found stays fixed, and the corpora keep exercising the parsers in the normal suite.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect()).unwrap_or_default();
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

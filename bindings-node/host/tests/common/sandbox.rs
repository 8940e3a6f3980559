//! A working directory with a few files in it, and a node's outcome there shown as text: what
//! the node reference's examples and the parameter-effect checks run in and compare.

use std::path::Path;

use atomiton_core::value::{Map, Value};

/// Output fields whose values depend on the clock: shown as `"…"`.
const VOLATILE: &[&str] =
    &["timestamp", "duration", "modified", "executedAt", "totalExecutionTime"];

/// Writes the files the examples' relative paths name: `notes.txt`, `people.csv`,
/// `photos/red.png`, `photos/blue.png` (8×8) and an empty `out/`.
pub fn sandbox(dir: &Path) {
    std::fs::write(dir.join("notes.txt"), "Hello from a file").expect("notes.txt");
    std::fs::write(dir.join("people.csv"), "name,age\nAda,36\nAlan,41\nGrace,45\n")
        .expect("people.csv");
    std::fs::create_dir_all(dir.join("photos")).expect("photos/");
    std::fs::create_dir_all(dir.join("out")).expect("out/");
    for (name, colour) in [("red", [255, 0, 0, 255]), ("blue", [0, 0, 255, 255])] {
        image::RgbaImage::from_pixel(8, 8, image::Rgba(colour))
            .save(dir.join(format!("photos/{name}.png")))
            .expect("a photo");
    }
}

/// `value` with clock-dependent fields masked, encoded data shown by its length and the test
/// server's address written `{server}`.
pub fn masked(value: Value, server: &str) -> Value {
    if let Some(bytes) = value.as_bytes() {
        // Encoded data (an image) is shown by its length: its bytes are no reading.
        return Value::from(format!("<{} bytes>", bytes.len()));
    }
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if VOLATILE.contains(&&*key) {
                        Value::from("…")
                    } else {
                        masked(value, server)
                    };
                    (key, value)
                })
                .collect::<Map>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| masked(v, server)).collect()),
        Value::String(text) if text.contains(server) => {
            Value::from(text.replace(server, "{server}"))
        }
        other => other,
    }
}

/// Every file below `dir`, sorted, each with its size and a hash of its bytes: what a node
/// left on disk.
pub fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
            if path.is_dir() {
                out.push(format!("{name}/"));
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                // FNV-1a: enough to tell two contents apart in a test.
                let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                });
                out.push(format!("{name} {} {hash:016x}", bytes.len()));
            }
        }
    }
    out.sort();
    out
}

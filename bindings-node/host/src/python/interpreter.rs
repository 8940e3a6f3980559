//! Which interpreter `python` nodes run on: a virtual environment's, one the config names (a
//! path, or a name on the PATH), or `python3`, then `python`, on the PATH.

use std::path::{Path, PathBuf};

/// Where the interpreter is, from the conductor's `python` settings. `Ok(None)`: nothing set
/// and none on the PATH (a flow with a `python` node then fails validation). An interpreter or
/// virtual environment the config names and that is not there is an error: the config said
/// something that is not so.
pub fn find(
    interpreter: Option<&str>,
    virtualenv: Option<&Path>,
    working_dir: Option<&Path>,
) -> Result<Option<PathBuf>, String> {
    let resolve = |path: &Path| match working_dir {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    };
    if let Some(env) = virtualenv {
        let env = resolve(env);
        let inside = if cfg!(windows) { "Scripts/python.exe" } else { "bin/python" };
        let python = env.join(inside);
        return if python.is_file() {
            Ok(Some(python))
        } else {
            Err(format!(
                "python.virtualenv: {} has no {inside} (create it with `python3 -m venv {}`)",
                env.display(),
                env.display()
            ))
        };
    }
    match interpreter {
        Some(name) if name.contains(['/', '\\']) => {
            let path = resolve(Path::new(name));
            if path.is_file() {
                Ok(Some(path))
            } else {
                Err(format!("python.interpreter: {} does not exist", path.display()))
            }
        }
        Some(name) => on_path(name)
            .map(Some)
            .ok_or_else(|| format!("python.interpreter: no '{name}' on the PATH")),
        None => Ok(on_path("python3").or_else(|| on_path("python"))),
    }
}

/// The first executable file called `name` in the PATH's directories.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        vec![format!("{name}.exe"), name.to_owned()]
    } else {
        vec![name.to_owned()]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

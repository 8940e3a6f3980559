//! A run's grant as the operating system can enforce it on the processes the run starts.
//!
//! The built-in file and HTTP nodes are checked by the engine at each effect (paths with
//! symlinks resolved, every redirect hop). A program a `shell-command` or `python` node starts
//! does its own file and network calls, which only the kernel sees: the host confines it (on
//! Linux with Landlock) to what this says. The kernel knows paths and TCP ports, not host names,
//! so a grant of hosts becomes the ports those hosts name.

use super::permissions::{FileAccess, HttpAccess, RunPermissions};

/// What a run's processes may reach. `None` in a field: that side is not confined.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Confinement {
    /// Directories the process may read and write under (relative ones against the host's
    /// working directory); an empty list: none. Besides these it may read and execute what
    /// programs need to run (the system's directories) and use a temporary directory of its own.
    pub roots: Option<Vec<String>>,
    /// TCP ports it may connect to, on any address; an empty list: no TCP at all.
    pub tcp_ports: Option<Vec<u16>>,
}

/// The ports a host pattern without a port stands for, for a process: the web's.
pub const DEFAULT_PORTS: [u16; 2] = [80, 443];

impl Confinement {
    /// The confinement of a run with `permissions`; `None` when they grant every path and every
    /// host (nothing to confine).
    pub fn of(permissions: &RunPermissions) -> Option<Confinement> {
        let roots = match &permissions.files {
            FileAccess::Any(true) => None,
            FileAccess::Any(false) => Some(Vec::new()),
            FileAccess::Within { roots } => Some(roots.clone()),
        };
        let tcp_ports = match &permissions.http {
            HttpAccess::Any(true) => None,
            HttpAccess::Any(false) => Some(Vec::new()),
            HttpAccess::To { hosts } => Some(ports_of(hosts)),
        };
        (roots.is_some() || tcp_ports.is_some()).then_some(Confinement { roots, tcp_ports })
    }
}

/// The ports `hosts` name (`example.com:8080` → 8080, `example.com` → 80 and 443), sorted.
fn ports_of(hosts: &[String]) -> Vec<u16> {
    let mut ports: Vec<u16> = hosts
        .iter()
        .flat_map(|pattern| match super::permissions::pattern_port(pattern) {
            Some(port) => vec![port],
            None => DEFAULT_PORTS.to_vec(),
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permissions(files: FileAccess, http: HttpAccess) -> RunPermissions {
        RunPermissions { shell: true, image: false, files, http, ..Default::default() }
    }

    #[test]
    fn grants_become_roots_and_ports() {
        assert_eq!(
            Confinement::of(&permissions(FileAccess::Any(true), HttpAccess::Any(true))),
            None
        );
        let confined = Confinement::of(&permissions(
            FileAccess::Within { roots: vec!["data".into()] },
            HttpAccess::To {
                hosts: vec!["127.0.0.1:8080".into(), "example.com".into(), "[::1]:9".into()],
            },
        ));
        assert_eq!(
            confined,
            Some(Confinement {
                roots: Some(vec!["data".into()]),
                tcp_ports: Some(vec![9, 80, 443, 8080])
            })
        );
        let none = Confinement::of(&permissions(FileAccess::Any(false), HttpAccess::Any(false)));
        assert_eq!(none, Some(Confinement { roots: Some(vec![]), tcp_ports: Some(vec![]) }));
        let files_only =
            Confinement::of(&permissions(FileAccess::Any(false), HttpAccess::Any(true)));
        assert_eq!(files_only, Some(Confinement { roots: Some(vec![]), tcp_ports: None }));
    }
}

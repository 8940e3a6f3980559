//! What one run may reach outside its data, when whoever started it is not fully trusted (a
//! caller of a protocol server): process spawning, files under given directories, HTTP to given
//! hosts, image processing.
//!
//! Two places enforce it. Validation refuses, before anything runs, a node whose type needs a
//! capability the run lacks (`PERMISSION_DENIED`, naming the node and the capability). Paths and
//! URLs can come from inputs and expressions, so the host a run sees is narrowed too
//! ([`Host::restrict`](super::Host::restrict)): every file path and every HTTP request, redirects
//! included, is checked when the effect happens.

use serde::{Deserialize, Serialize};

use super::Capabilities;

/// A run's permissions. Anything not granted is denied: `{}` allows pure computation only.
/// Read as `{shell?, image?, files?: boolean | {roots}, http?: boolean | {hosts}}`; an unknown
/// key is an error (a misspelt grant must not silently grant nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WirePermissions"))]
pub struct RunPermissions {
    /// `shell-command`: starting processes. A process can do anything its user can, so this is
    /// as good as every other permission.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub shell: bool,
    /// `image`: decoding and encoding images (the files it reads and writes need `files` too).
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub image: bool,
    /// `file-system`, spreadsheet files and images: which paths.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub files: FileAccess,
    /// `http-request`: which hosts.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub http: HttpAccess,
    /// Nodes that name a credential (`database`, ...): which credentials. A node naming one the
    /// run was not granted is refused at validation, and the host hands its value to none.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub credentials: CredentialAccess,
}

/// Credential access: none, every credential, or the named ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireCredentialAccess"))]
pub enum CredentialAccess {
    /// `true`: any credential; `false`: none.
    Any(bool),
    /// `{names: [...]}`: the credentials with these names.
    Named { names: Vec<String> },
}

impl Default for CredentialAccess {
    fn default() -> Self {
        CredentialAccess::Any(false)
    }
}

impl CredentialAccess {
    /// Whether the credential `name` may be used.
    pub fn allows(&self, name: &str) -> bool {
        match self {
            CredentialAccess::Any(allowed) => *allowed,
            CredentialAccess::Named { names } => names.iter().any(|granted| granted == name),
        }
    }
}

/// File access: none, any path, or paths inside the given directories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireFileAccess"))]
pub enum FileAccess {
    /// `true`: any path; `false`: none.
    Any(bool),
    /// `{roots: [...]}`: paths that, with symlinks resolved, are inside one of these directories.
    /// Relative roots resolve against the host's working directory.
    Within { roots: Vec<String> },
}

/// HTTP access: none, any host, or the given hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireHttpAccess"))]
pub enum HttpAccess {
    /// `true`: any host; `false`: none.
    Any(bool),
    /// `{hosts: [...]}`: `example.com` (any port), `example.com:8080`, `*.example.com` (its
    /// subdomains, not itself), IP addresses (`127.0.0.1`, `[::1]`).
    To { hosts: Vec<String> },
}

impl Default for FileAccess {
    fn default() -> Self {
        FileAccess::Any(false)
    }
}

impl Default for HttpAccess {
    fn default() -> Self {
        HttpAccess::Any(false)
    }
}

impl FileAccess {
    /// Whether some path is allowed.
    pub fn any_allowed(&self) -> bool {
        !matches!(self, FileAccess::Any(false))
    }
}

impl HttpAccess {
    /// Whether some host is allowed.
    pub fn any_allowed(&self) -> bool {
        !matches!(self, HttpAccess::Any(false))
    }

    /// Whether a request to `host` (as a parsed URL gives it: lower-case, IPv6 in brackets) on
    /// `port` is allowed.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        match self {
            HttpAccess::Any(allowed) => *allowed,
            HttpAccess::To { hosts } => {
                hosts.iter().any(|pattern| host_matches(pattern, host, port))
            }
        }
    }
}

impl<'de> Deserialize<'de> for RunPermissions {
    /// Through the engine's value and [`RunPermissions::read`]: derived untagged enums buffer
    /// their input and cost the browser module kilobytes for a few fields.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = crate::value::Value::deserialize(deserializer)?;
        RunPermissions::read(&value).map_err(serde::de::Error::custom)
    }
}

impl RunPermissions {
    /// Reads permissions from their JSON form.
    pub fn read(value: &crate::value::Value) -> Result<Self, String> {
        use crate::value::Value;
        let Value::Object(map) = value else {
            return Err("permissions must be an object".to_owned());
        };
        let mut permissions = RunPermissions::default();
        let list = |value: &Value, what: &str| -> Result<Vec<String>, String> {
            let items =
                value.as_array().ok_or_else(|| format!("{what} must be an array of strings"))?;
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{what} must be an array of strings"))
                })
                .collect()
        };
        let access =
            |value: &Value, key: &str, field: &str| -> Result<Result<bool, Vec<String>>, String> {
                match value {
                    Value::Bool(allowed) => Ok(Ok(*allowed)),
                    Value::Object(inner) if inner.len() == 1 => match inner.get(field) {
                        Some(listed) => Ok(Err(list(listed, &format!("{key}.{field}"))?)),
                        None => Err(format!("{key} must be true, false or {{{field}: [...]}}")),
                    },
                    _ => Err(format!("{key} must be true, false or {{{field}: [...]}}")),
                }
            };
        for (key, item) in map {
            match key.as_str() {
                "shell" => permissions.shell = item.as_bool().ok_or("shell must be a boolean")?,
                "image" => permissions.image = item.as_bool().ok_or("image must be a boolean")?,
                "files" => {
                    permissions.files = access(item, "files", "roots")?
                        .map_or_else(|roots| FileAccess::Within { roots }, FileAccess::Any)
                }
                "http" => {
                    permissions.http = access(item, "http", "hosts")?
                        .map_or_else(|hosts| HttpAccess::To { hosts }, HttpAccess::Any)
                }
                "credentials" => {
                    permissions.credentials = access(item, "credentials", "names")?
                        .map_or_else(|names| CredentialAccess::Named { names }, CredentialAccess::Any)
                }
                other => {
                    return Err(format!(
                        "unknown permission \"{other}\" (expected shell, image, files, http, credentials)"
                    ))
                }
            }
        }
        Ok(permissions)
    }

    /// Everything allowed: what a run without permissions may do.
    pub fn all() -> Self {
        RunPermissions {
            shell: true,
            image: true,
            files: FileAccess::Any(true),
            http: HttpAccess::Any(true),
            credentials: CredentialAccess::Any(true),
        }
    }

    /// What both these and `other` allow: a run resumed by a restricted caller gets no more
    /// than either grant. Roots are kept where one lies inside a root of the other grant (by
    /// path, as written), host patterns where both grants list them; anything the two do not
    /// plainly share is dropped (denied), never widened.
    pub fn narrowed_by(&self, other: &RunPermissions) -> RunPermissions {
        let files = match (&self.files, &other.files) {
            (FileAccess::Any(true), narrower) | (narrower, FileAccess::Any(true)) => {
                narrower.clone()
            }
            (FileAccess::Any(false), _) | (_, FileAccess::Any(false)) => FileAccess::Any(false),
            (FileAccess::Within { roots: mine }, FileAccess::Within { roots: theirs }) => {
                let inside = |root: &String, of: &[String]| {
                    of.iter().any(|outer| {
                        let outer = outer.trim_end_matches('/');
                        root == outer || root.starts_with(&format!("{outer}/"))
                    })
                };
                let mut roots: Vec<String> =
                    mine.iter().filter(|r| inside(r, theirs)).cloned().collect();
                let also: Vec<String> = theirs
                    .iter()
                    .filter(|r| inside(r, mine) && !roots.contains(r))
                    .cloned()
                    .collect();
                roots.extend(also);
                FileAccess::Within { roots }
            }
        };
        let http = match (&self.http, &other.http) {
            (HttpAccess::Any(true), narrower) | (narrower, HttpAccess::Any(true)) => {
                narrower.clone()
            }
            (HttpAccess::Any(false), _) | (_, HttpAccess::Any(false)) => HttpAccess::Any(false),
            (HttpAccess::To { hosts: mine }, HttpAccess::To { hosts: theirs }) => HttpAccess::To {
                hosts: mine.iter().filter(|h| theirs.contains(h)).cloned().collect(),
            },
        };
        let credentials = match (&self.credentials, &other.credentials) {
            (CredentialAccess::Any(true), narrower) | (narrower, CredentialAccess::Any(true)) => {
                narrower.clone()
            }
            (CredentialAccess::Any(false), _) | (_, CredentialAccess::Any(false)) => {
                CredentialAccess::Any(false)
            }
            (
                CredentialAccess::Named { names: mine },
                CredentialAccess::Named { names: theirs },
            ) => CredentialAccess::Named {
                names: mine.iter().filter(|n| theirs.contains(n)).cloned().collect(),
            },
        };
        RunPermissions {
            shell: self.shell && other.shell,
            image: self.image && other.image,
            files,
            http,
            credentials,
        }
    }

    /// The first capability in `needed` these permissions deny, by the name a caller grants it
    /// under (`shell`, `files`, `http`, `image`).
    pub fn denied(&self, needed: &Capabilities) -> Option<&'static str> {
        if needed.processes && !self.shell {
            Some("shell")
        } else if needed.file_system && !self.files.any_allowed() {
            Some("files")
        } else if needed.http && !self.http.any_allowed() {
            Some("http")
        } else if needed.images && !self.image {
            Some("image")
        } else {
            None
        }
    }
}

/// `pattern` against a URL's host and port. Host names compare without case and without a
/// trailing dot; `*.` matches subdomains only, so `*.example.com` does not grant `example.com`.
fn host_matches(pattern: &str, host: &str, port: u16) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    let (pattern_host, pattern_port) = split_port(&pattern);
    if pattern_port.is_some_and(|p| p != port) {
        return false;
    }
    let pattern_host = bracketed(pattern_host.trim_end_matches('.'));
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    match pattern_host.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1
                && host.ends_with(suffix)
                && host[..host.len() - suffix.len()].ends_with('.')
        }
        None => host == pattern_host,
    }
}

/// The port a host pattern names (`example.com:8080`, `[::1]:80`), if it names one.
pub(super) fn pattern_port(pattern: &str) -> Option<u16> {
    split_port(pattern.trim()).1
}

/// `host:port` → (`host`, port); a bare IPv6 address (colons, no brackets) has no port.
fn split_port(pattern: &str) -> (&str, Option<u16>) {
    if let Some(end) = pattern.strip_prefix('[').and_then(|rest| rest.find(']')) {
        let (host, rest) = pattern.split_at(end + 2);
        return (host, rest.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match pattern.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            // Not a port: compare the whole pattern, which then matches nothing.
            Err(_) => (pattern, None),
        },
        _ => (pattern, None),
    }
}

/// IPv6 addresses the way URLs print them, in brackets.
fn bracketed(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> CredentialAccess {
        CredentialAccess::Named { names: names.iter().map(|n| (*n).to_owned()).collect() }
    }

    fn to(hosts: &[&str]) -> HttpAccess {
        HttpAccess::To { hosts: hosts.iter().map(|h| (*h).to_owned()).collect() }
    }

    #[test]
    fn narrowing_never_widens() {
        let within = |roots: &[&str]| FileAccess::Within {
            roots: roots.iter().map(|r| (*r).to_owned()).collect(),
        };
        let started = RunPermissions {
            shell: true,
            image: false,
            files: within(&["/srv/a", "/srv/b"]),
            http: to(&["api.test", "x.test"]),
            credentials: names(&["warehouse", "mail"]),
        };
        assert_eq!(started.narrowed_by(&RunPermissions::all()), started);
        assert_eq!(RunPermissions::all().narrowed_by(&started), started);
        let resumer = RunPermissions {
            shell: true,
            image: true,
            files: within(&["/srv/a/inner", "/srv"]),
            http: to(&["x.test", "y.test"]),
            credentials: names(&["mail", "ledger"]),
        };
        let both = started.narrowed_by(&resumer);
        assert_eq!(both.files, within(&["/srv/a", "/srv/b", "/srv/a/inner"]));
        assert_eq!(both.http, to(&["x.test"]));
        assert_eq!(both.credentials, names(&["mail"]));
        assert!(both.credentials.allows("mail") && !both.credentials.allows("warehouse"));
        assert!(both.shell && !both.image);
        let nothing = started.narrowed_by(&RunPermissions::default());
        assert_eq!(nothing, RunPermissions::default());
        assert_eq!(
            RunPermissions { files: within(&["/srv/ab"]), ..started.clone() }
                .narrowed_by(&RunPermissions { files: within(&["/srv/a"]), ..started.clone() })
                .files,
            within(&[])
        );
    }

    #[test]
    fn host_patterns() {
        let access = to(&["Example.com", "api.test:8080", "*.svc.local", "127.0.0.1", "::1"]);
        assert!(access.allows("example.com", 443));
        assert!(access.allows("example.com.", 80));
        assert!(!access.allows("evil-example.com", 443));
        assert!(!access.allows("sub.example.com", 443));
        assert!(access.allows("api.test", 8080));
        assert!(!access.allows("api.test", 80));
        assert!(access.allows("a.svc.local", 80));
        assert!(access.allows("a.b.svc.local", 80));
        assert!(!access.allows("svc.local", 80));
        assert!(!access.allows("xsvc.local", 80));
        assert!(access.allows("127.0.0.1", 9));
        assert!(access.allows("[::1]", 9));
        assert!(!to(&["[::1]:80"]).allows("[::1]", 81));
        assert!(to(&["[::1]:80"]).allows("[::1]", 80));
        assert!(!to(&["example.com:notaport"]).allows("example.com", 80));
        assert!(!HttpAccess::Any(false).allows("example.com", 80));
        assert!(HttpAccess::Any(true).allows("example.com", 80));
    }

    #[test]
    fn denied_names_the_capability() {
        let none = RunPermissions::default();
        assert_eq!(
            none.denied(&Capabilities { processes: true, ..Capabilities::NONE }),
            Some("shell")
        );
        assert_eq!(
            none.denied(&Capabilities { images: true, file_system: true, ..Capabilities::NONE }),
            Some("files")
        );
        assert_eq!(none.denied(&Capabilities::NONE), None);
        let files = RunPermissions {
            files: FileAccess::Within { roots: vec!["/tmp".into()] },
            ..RunPermissions::default()
        };
        assert_eq!(
            files.denied(&Capabilities { images: true, file_system: true, ..Capabilities::NONE }),
            Some("image")
        );
        assert_eq!(RunPermissions::all().denied(&Capabilities::ALL), None);
    }

    #[test]
    fn the_wire_forms() {
        let parsed: RunPermissions = serde_json::from_str(
            r#"{"shell":true,"files":{"roots":["/a"]},"http":{"hosts":["x"]},"credentials":{"names":["w"]}}"#,
        )
        .unwrap_or_default();
        assert_eq!(parsed.credentials, names(&["w"]));
        assert_eq!(parsed.files, FileAccess::Within { roots: vec!["/a".into()] });
        assert_eq!(parsed.http, to(&["x"]));
        assert!(parsed.shell && !parsed.image);
        let open: RunPermissions =
            serde_json::from_str(r#"{"files":true,"http":false}"#).unwrap_or_default();
        assert_eq!((open.files, open.http), (FileAccess::Any(true), HttpAccess::Any(false)));
        assert!(
            serde_json::from_str::<RunPermissions>(r#"{"shel":true}"#).is_err(),
            "a misspelt grant is an error, not silently nothing"
        );
        assert!(serde_json::from_str::<RunPermissions>(r#"{"files":{"root":["/a"]}}"#).is_err());
    }
}

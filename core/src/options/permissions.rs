//! A run's permissions (`RunPermissions`), declared: what a run may reach outside its data.

use super::declare::{Field, Kind, Shape};

const FILE_ROOTS: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "roots",
        Kind::ListOf(&Kind::Text { non_empty: true }),
        "Paths that, with symlinks resolved, are inside one of these directories. Relative roots resolve against the working directory.",
    )
    .required()],
};

const HTTP_HOSTS: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "hosts",
        Kind::ListOf(&Kind::Text { non_empty: true }),
        "`example.com` (any port), `example.com:8080`, `*.example.com` (its subdomains, not itself), IP addresses (`127.0.0.1`, `[::1]`).",
    )
    .required()],
};

const CREDENTIAL_NAMES: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[Field::new(
        "names",
        Kind::ListOf(&Kind::Text { non_empty: true }),
        "The names of the credentials (`conductor.credentials`) this run's nodes may use.",
    )
    .required()],
};

/// `{shell?, image?, files?, http?, credentials?}`: anything not granted is denied; `{}` allows pure
/// computation only.
pub const PERMISSIONS: Shape = Shape {
    name: "RunPermissions",
    doc: "What one run may reach outside its data. Nodes needing a capability not granted are refused before anything runs (`PERMISSION_DENIED`, naming the node and the capability); paths and hosts are checked at each file operation and HTTP request (redirects included), since inputs and expressions decide them.",
    extends: &[],
    fields: &[
        Field::new(
            "shell",
            Kind::Boolean,
            "`shell-command`: starting processes. A process can do anything its user can, so this is as good as every other permission.",
        ),
        Field::new(
            "image",
            Kind::Boolean,
            "`image`: decoding and encoding images (the files it reads and writes need `files` too).",
        ),
        Field::new(
            "files",
            Kind::Either(&[Kind::Boolean, Kind::Object(&FILE_ROOTS)]),
            "`file-system`, spreadsheet files and images: `true` any path, `false` none, `{roots}` paths inside these directories.",
        ),
        Field::new(
            "http",
            Kind::Either(&[Kind::Boolean, Kind::Object(&HTTP_HOSTS)]),
            "`http-request`: `true` any host, `false` none, `{hosts}` these hosts.",
        ),
        Field::new(
            "credentials",
            Kind::Either(&[Kind::Boolean, Kind::Object(&CREDENTIAL_NAMES)]),
            "Nodes that name a credential (`database`, ...): `true` any, `false` none, `{names}` these. A node naming one not granted is refused before anything runs.",
        ),
    ],
};

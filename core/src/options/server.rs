//! The protocol server's options (`createProtocolServer(conductor, options)` and the JSON file
//! `atomiton serve --config` reads), declared.

use super::declare::{Choice, Field, JsCheck, Kind, Range, Shape};
use super::permissions::PERMISSIONS;

/// `limits` of a caller: runs at once and per minute.
pub const CALLER_LIMITS: Shape = Shape {
    name: "CallerLimits",
    doc: "Per-caller limits on runs.",
    extends: &[],
    fields: &[
        Field::new(
            "concurrentRuns",
            Kind::Number(Range::whole(1.0)),
            "Runs of this caller going on at once (default 8).",
        ),
        Field::new(
            "runsPerMinute",
            Kind::Number(Range::whole(1.0)),
            "Runs this caller may start per rolling minute (default 120).",
        ),
    ],
};

const CHANNEL_COMMANDS: Kind = Kind::Either(&[
    Kind::OneOf(&[Choice::any("*")]),
    Kind::ListOf(&Kind::Text { non_empty: true }),
]);

/// What a user or API key may do.
pub const GRANT: Shape = Shape {
    name: "Grant",
    doc: "What a user or API key may do.",
    extends: &[],
    fields: &[
        Field::new(
            "channels",
            Kind::RecordOf(&CHANNEL_COMMANDS),
            "Channels and commands: `\"*\"` or a list of commands per channel (default: `node`, `storage`, `flow`, `executions` and `cache` entirely, `system.health`). `auth` is always allowed.",
        )
        .ts("ChannelGrant"),
        Field::new(
            "permissions",
            Kind::Object(&PERMISSIONS),
            "What runs this caller starts may reach outside their data (default `{}`: pure computation only).",
        ),
        Field::new(
            "scope",
            Kind::OneOf(&[Choice::any("own"), Choice::any("all")]),
            "`\"own\"` (default): the saved flows and runs of this caller only; `\"all\"`: every one.",
        ),
        Field::new("limits", Kind::Object(&CALLER_LIMITS), "This caller's run limits."),
    ],
};

/// One user who may log in.
pub const USER_ENTRY: Shape = Shape {
    name: "UserEntry",
    doc: "A user who may log in.",
    extends: &[],
    fields: &[
        Field::new("username", Kind::Text { non_empty: true }, "The name logged in with.")
            .required(),
        Field::new(
            "passwordHash",
            Kind::Text { non_empty: true },
            "From `hashPassword(password)`; a plain password is refused at startup.",
        )
        .required(),
        Field::new("id", Kind::Text { non_empty: true }, "Stable id (default: the username)."),
        Field::new("email", Kind::Text { non_empty: false }, "What `auth.getCurrentUser` answers."),
        Field::new(
            "roles",
            Kind::ListOf(&Kind::Text { non_empty: true }),
            "What `auth.getCurrentUser` answers.",
        ),
        Field::new(
            "grant",
            Kind::Object(&GRANT),
            "What this user may do (default: the server's `auth.defaultGrant`).",
        ),
    ],
};

/// A machine client's key.
pub const API_KEY_ENTRY: Shape = Shape {
    name: "ApiKeyEntry",
    doc: "A machine client's key.",
    extends: &[],
    fields: &[
        Field::new(
            "id",
            Kind::Text { non_empty: true },
            "Names the client (its runs, flows and limits are kept under `key:<id>`).",
        )
        .required(),
        Field::new("keyHash", Kind::Text { non_empty: true }, "`generateApiKey().keyHash`: the hex SHA-256 of the key."),
        Field::new(
            "key",
            Kind::Text { non_empty: true },
            "The key itself, digested at startup (prefer `keyHash`: then the server never holds the key).",
        ),
        Field::new("grant", Kind::Object(&GRANT), "What this key may do (default: the server's `auth.defaultGrant`)."),
    ],
};

const LOGIN_ATTEMPTS: Shape = Shape {
    name: "",
    doc: "",
    extends: &[],
    fields: &[
        Field::new(
            "max",
            Kind::Number(Range::whole(1.0)),
            "Failed logins allowed per user name (default 5).",
        ),
        Field::new(
            "maxPerAddress",
            Kind::Number(Range::whole(1.0)),
            "Failed logins allowed per client address (default 20).",
        ),
        Field::new(
            "windowMs",
            Kind::Number(Range::MS_POSITIVE),
            "The window they are counted in (default 15 minutes).",
        ),
    ],
};

/// Who may call a server.
pub const AUTH: Shape = Shape {
    name: "AuthOptions",
    doc: "Users, API keys and sessions of a protocol server.",
    extends: &[],
    fields: &[
        Field::new(
            "users",
            Kind::Either(&[
                Kind::ListOf(&Kind::Object(&USER_ENTRY)),
                Kind::Js { ts: "UserVerifier", check: JsCheck::Function },
            ]),
            "Who may log in: entries with `hashPassword` hashes, or the app's own verifier.",
        ),
        Field::new(
            "apiKeys",
            Kind::ListOf(&Kind::Object(&API_KEY_ENTRY)),
            "Machine clients: `Authorization: Bearer <key>`.",
        ),
        Field::new(
            "defaultGrant",
            Kind::Object(&GRANT),
            "The grant of users and keys that have none of their own.",
        ),
        Field::new(
            "tokenTtlMs",
            Kind::Number(Range::MS_POSITIVE),
            "Lifetime of a session token, ms (default one hour); `refreshToken` issues a new one.",
        ),
        Field::new(
            "sessionMaxMs",
            Kind::Number(Range::MS_POSITIVE),
            "Longest a login lasts, refreshes included, ms (default 24 hours).",
        ),
        Field::new(
            "maxSessionsPerUser",
            Kind::Number(Range::whole(1.0)),
            "Sessions one user may hold; logging in past it ends the oldest (default 50).",
        ),
        Field::new(
            "loginAttempts",
            Kind::Object(&LOGIN_ATTEMPTS),
            "Failed logins allowed per user name and per client address within a window.",
        ),
    ],
};

/// What one request, message or connection may do.
pub const SERVER_LIMITS: Shape = Shape {
    name: "ServerLimitOptions",
    doc: "Limits on what one request, message or connection may do (each caller's run limits too).",
    extends: &[&CALLER_LIMITS],
    fields: &[
        Field::new(
            "maxFlowBytes",
            Kind::Number(Range::BYTES),
            "Largest flow a call may carry (`node.execute`, `node.validate`, `storage.saveFlow`), bytes of JSON (default 8 MiB).",
        ),
        Field::new(
            "maxMessageBytes",
            Kind::Number(Range::BYTES),
            "Largest WebSocket message, bytes (default `maxBodyBytes`); a larger one closes the connection (1009) unread.",
        ),
        Field::new(
            "idleTimeoutMs",
            Kind::Number(Range::MS_POSITIVE),
            "A WebSocket connection silent this long (no message, no pong to the server's pings) is closed, ms (default 60 s).",
        ),
        Field::new(
            "authTimeoutMs",
            Kind::Number(Range::MS_POSITIVE),
            "How long a WebSocket connection may stay unauthenticated, ms (default 10 s); with authentication only.",
        ),
    ],
};

/// `createProtocolServer`'s options.
pub const SERVER: Shape = Shape {
    name: "ProtocolServerOptions",
    doc: "A protocol server's options. An unknown key, a value of the wrong type or out of range is a `ConductorError` (`VALIDATION_FAILED`) naming it.",
    extends: &[],
    fields: &[
        Field::new("port", Kind::Number(Range::whole(0.0).max(65535.0)), "Default 0: any free port (read it from `port` / `url`)."),
        Field::new(
            "host",
            Kind::Text { non_empty: true },
            "Default `\"127.0.0.1\"`. Without `auth`, only a loopback address is accepted unless `insecure: true`: anyone who can reach the server could otherwise run flows.",
        ),
        Field::new(
            "WebSocketServer",
            Kind::Js { ts: "WebSocketServerClass", check: JsCheck::Function },
            "Enables the WebSocket endpoint, e.g. `WebSocketServer` from the `ws` package.",
        ),
        Field::new(
            "allowedOrigins",
            Kind::ListOf(&Kind::Text { non_empty: true }),
            "Browser origins allowed to call (CORS) and connect; `\"*\"` for any. Default none.",
        ),
        Field::new(
            "maxBodyBytes",
            Kind::Number(Range::BYTES),
            "Largest request body accepted (default 64 MiB); larger ones get 413, before the body is read when it declares its length.",
        ),
        Field::new("auth", Kind::Object(&AUTH), "Users, API keys, sessions. Without it every caller is the anonymous one (loopback only)."),
        Field::new("limits", Kind::Object(&SERVER_LIMITS), "Request, message, connection and per-caller run limits."),
        Field::new(
            "insecure",
            Kind::Boolean,
            "Listen beyond loopback without authentication. Anyone who reaches the port can then run flows.",
        ),
        Field::new(
            "restart",
            Kind::Js { ts: "() => void | Promise<void>", check: JsCheck::Function },
            "Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command is unknown.",
        ),
        Field::new(
            "permissions",
            Kind::Object(&PERMISSIONS),
            "Permissions of runs started without a caller (over IPC); default: unrestricted.",
        ),
        Field::new(
            "waitSecret",
            Kind::Text { non_empty: true },
            "Signs the resume URLs of runs parked at wait nodes (HMAC-SHA256; 32 characters at least). Default: a random one per server, so its URLs stop working when it stops; give one to keep them across restarts.",
        ),
    ],
};

/// What `atomiton serve --config <file>` may set (the rest comes from its flags).
pub const SERVE_FILE: Shape = Shape {
    name: "ServeConfigFile",
    doc: "The JSON file `atomiton serve --config` reads: the server's authentication, limits, permissions and origins.",
    extends: &[],
    fields: &[
        Field::new("auth", Kind::Object(&AUTH), "Users, API keys, sessions."),
        Field::new("limits", Kind::Object(&SERVER_LIMITS), "Request, message, connection and per-caller run limits."),
        Field::new("permissions", Kind::Object(&PERMISSIONS), "Permissions of runs started without a caller."),
        Field::new("allowedOrigins", Kind::ListOf(&Kind::Text { non_empty: true }), "Browser origins allowed to call."),
        Field::new("maxBodyBytes", Kind::Number(Range::BYTES), "Largest request body accepted."),
        Field::new("waitSecret", Kind::Text { non_empty: true }, "Signs the resume URLs of parked runs (32 characters at least)."),
    ],
};

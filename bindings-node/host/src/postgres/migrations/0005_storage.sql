-- Migration 5: saved flows (`storage: {type: "postgres"}`): each key's text, as a directory of files keeps them.
CREATE TABLE atomiton_storage (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL
);

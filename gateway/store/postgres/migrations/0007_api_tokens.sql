-- API tokens: only a salted SHA-256 of each token is kept, never the token itself.
-- `workspaces` is a JSON array of workspace ids, or NULL for every workspace; `scopes` a JSON
-- array of scope names. Revoked tokens stay, so the access log's token ids keep a meaning.

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    workspaces    TEXT,
    salt          BYTEA NOT NULL,
    hash          BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT,
    revoked_at    BIGINT
);

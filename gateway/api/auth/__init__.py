"""Who may read and write: scopes, workspaces, and the masking of errors."""

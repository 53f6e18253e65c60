"""The PostgreSQL text of every migration of `gateway.store.migrations`, under the same names."""

"""Importers: each platform's own JSON (and the gateway's export) to domain records."""

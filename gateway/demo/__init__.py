"""The demo data set and the demo's live movement, for newcomers and tests."""

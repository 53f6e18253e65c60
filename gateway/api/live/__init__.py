"""Live updates: the subscriptions, the run-changes delta query, the WebSocket transport."""

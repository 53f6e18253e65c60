"""Activities: the steps of a run, their types and statistics."""

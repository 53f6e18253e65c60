"""Run statistics: the grouped report over runs and its queries."""

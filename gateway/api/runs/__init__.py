"""Runs: their types, inputs and values (errors, statistics, durations, triggers, history)."""

"""Processes: the pipelines and jobs runs belong to, their types and inputs."""

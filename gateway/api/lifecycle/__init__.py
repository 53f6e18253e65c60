"""Lifecycle mutations: start, cancel, retry, bulk changes and their inputs."""

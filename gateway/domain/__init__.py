"""The runs domain: pure Python, no I/O.

Dataclasses for workspaces, processes, runs, activities, statistics and errors; the unified status
enum and every platform's status map; lifecycle rules; ids; the exception tree.
"""

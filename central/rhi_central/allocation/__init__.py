"""Allocation: which worker holds each child, the history of moves, and each worker's load."""

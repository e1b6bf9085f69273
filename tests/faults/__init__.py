"""Fault injection for tests: a stalling TCP proxy and an in-process sending world."""

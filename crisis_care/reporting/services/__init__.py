"""Writes for reporting: saved fidelity reviews and data set exports."""

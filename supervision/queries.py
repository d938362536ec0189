"""Reads of the supervision work used by more than one face (dashboard, reports,
API) and by apps above it."""

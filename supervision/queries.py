"""Reads of the supervision work used by more than one face (dashboard, reports,
API) and by apps above it.

Two sections, kept apart: scores (scorecards, trends, ranking) and outputs (who sees
which site's problems, notices, the A2 division)."""

# --- Scores: scorecards, trends, ranking ---------------------------------------------


# --- Outputs: what a person may see, notices, the A2 division -------------------------

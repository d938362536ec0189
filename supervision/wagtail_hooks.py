"""The supervision work in the admin.

Two sections, kept apart: the indicator rules (settings menu, admin_rules.py) and the
supervisors' pages (dashboard, scorecards, notices, the A2 division; admin_views.py)."""

# --- Indicator rules (admin_rules.py) -------------------------------------------------


# --- Supervisors' pages (admin_views.py) ----------------------------------------------

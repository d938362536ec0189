"""Disclosure's reads as other apps call them (the supervision work, home pages).

Each part keeps its reads beside its services in its own module; they are named
here for the apps above.
"""

from .guides import (  # noqa: F401
    LACKING_THRESHOLD, MISSING, VAGUE, Completeness, GuideReport, Problem, directory_context, guide_completeness,
    guides_in, hosted_site_homes, unit_guide_report,
)

"""The visit planner's solver: plain Python, no Django (see docs/adr/0016-visit-planner-solver.md)."""

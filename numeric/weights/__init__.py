"""A trained transformer's own weights: reading files, detecting the layout, measuring norms and
ranks, and reporting the bounds at the measured figures."""

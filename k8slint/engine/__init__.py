"""Running rules: which apply where, checks in and findings out, suppression, baselines, workers."""

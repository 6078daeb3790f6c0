"""Kustomize trees: find the builds, build them, map built objects to their sources.

The engine calls `stage.KustomizeStage` once per run; the rest of the package
is what it needs (`tree`: which directories are builds, `command`/`build`: run
Kustomize, `origin`: where the user wrote each field of a built object, `raw`:
what a kustomization does to the cross-object view when nothing was built).
"""

"""k8slint: a linter for Kubernetes manifests."""

__version__ = "0.1.0"

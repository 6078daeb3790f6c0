"""What Kubernetes does, as the checks share it.

Kinds, schemas, labels, the Pod model and the run's index: facts, never findings.
"""

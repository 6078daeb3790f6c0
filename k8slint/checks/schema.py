"""Does each object validate against its schema: built-in kinds against the target
version's API schema (`schema`), custom resources against the CRDs of the run
(`crd-schema`)?"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.engine import CheckContext
from k8slint.model import Problem, Resource
from k8slint.registry import check
from k8slint.schema import ErrorTranslator, builtin_type_names, builtin_validator, is_patch


@check(scope="resource")
def builtin_schema(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    if resource.api_version is None or resource.kind is None:
        return
    version, strict = context.kubernetes_version, context.strict
    validator = builtin_validator(version, strict, resource.api_version, resource.kind)
    if validator is None:
        return  # not a kind this version serves: api-deprecated's or crd-schema's business
    errors = list(validator.iter_errors(resource.data))
    if not errors or is_patch(resource.data):
        return  # a patch is partial by design (looked for only when something fails)
    translator = ErrorTranslator(resource.kind.lower(), builtin_type_names(version, strict))
    yield from translator.problems(errors)

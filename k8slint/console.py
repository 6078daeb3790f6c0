"""The console command's entry point (`k8slint`, `python -m k8slint`).

It turns the cyclic garbage collector off before the command's modules are
imported, not after (`k8slint.cli.main` turns it off too, for its callers):
importing click, PyYAML and the checks makes tens of thousands of objects,
and the collections they set off rescanned them all, about 2% of a one-file
lint. Library users who import `k8slint.cli` keep their collector.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from k8slint.cli import main as run

    run()

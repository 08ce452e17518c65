"""Find the shared example data (anonymised CTs) for demos, tests and benchmarks, in the way
pydicom's `get_testdata_file` does, instead of paths built from the repository root.

The data is not part of the package (see ../shared/data/README.md). It is looked for in:
1. the folder named by ``RAREONCO_EXAMPLE_DATA``;
2. ``shared/data`` beside the checkout (``<checkout>/../shared/data``), for a development or CI
   checkout installed in editable mode;
3. ``../shared/data`` from the current working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "RAREONCO_EXAMPLE_DATA"


def _candidates() -> list[Path]:
    out = []
    if os.environ.get(ENV):
        out.append(Path(os.environ[ENV]))
    checkout = Path(__file__).resolve().parents[2]  # src/rareonco/example_data.py -> checkout
    out += [checkout.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return out


def example_data_dir() -> Path | None:
    """The folder of the shared example data, or None when none of the places holds it."""
    return next((p for p in _candidates() if p.is_dir()), None)


def get_example_file(relative: str) -> Path:
    """The path of one example file or folder (e.g. ``ct/abdomen_pelvis_3mm.nii.gz``).

    Raises FileNotFoundError naming every place looked in, so a test that needs the data fails
    with the missing path instead of passing silently."""
    for base in _candidates():
        path = base / relative
        if path.exists():
            return path
    looked = ", ".join(str(b / relative) for b in _candidates())
    raise FileNotFoundError(f"example data {relative!r} not found (looked in: {looked}; "
                            f"set {ENV} to the shared data folder)")

"""What a web worker loads at start-up: not the CT segmentation stack nor SciPy's statistics
(about 75 MB and a second per process); they load with the first plan or forecast."""

from __future__ import annotations

import subprocess
import sys


def test_the_web_app_starts_without_the_scientific_stack() -> None:
    code = ("import sys, rareonco.web.app, rareonco.cli; "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('scipy', 'skimage', 'vtk', 'trimesh', 'SimpleITK', 'manifold3d', 'lifelines', 'pandas') "
            "or m.startswith('rareonco.imaging.segment')); print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout

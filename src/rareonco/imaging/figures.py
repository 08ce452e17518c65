"""Three orthogonal views of the CT with the plan's overlays (PNG bytes, matplotlib, no display).

Views follow the radiological convention (patient's right on the viewer's left in axial and
coronal views) and carry R/L, A/P, S/I letters at their edges, so the side can be checked by eye.
"""

from __future__ import annotations

import io

import numpy as np

from .arrays import Mask
from .pipeline import PelvisPlan
from .volume import Volume

_COLOURS = {
    1: (0.9, 0.2, 0.2),
    2: (0.2, 0.8, 0.2),
    3: (0.2, 0.4, 1.0),
    4: (0.9, 0.8, 0.2),
    5: (0.2, 0.8, 0.8),
    6: (0.8, 0.3, 0.8),
}


def _rgb_overlay(
    ct_slice: np.ndarray, lab: np.ndarray, resected: np.ndarray, implant: np.ndarray, tumour: np.ndarray
) -> np.ndarray:
    grey = np.clip((ct_slice.astype(np.float32) + 200.0) / 1400.0, 0, 1)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    for k, colour in _COLOURS.items():
        m = lab == k
        rgb[m] = 0.6 * rgb[m] + 0.4 * np.array(colour)
    rgb[resected] = 0.4 * rgb[resected] + 0.6 * np.array([1.0, 0.55, 0.0])
    rgb[implant] = 0.3 * rgb[implant] + 0.7 * np.array([1.0, 1.0, 1.0])
    edge = tumour & ~_erode2(tumour)
    rgb[edge] = (1.0, 0.0, 0.0)
    return rgb


def _erode2(m: np.ndarray) -> np.ndarray:
    from scipy import ndimage as ndi

    eroded: Mask = ndi.binary_erosion(m)
    return eroded


def orthogonal_views_png(plan: PelvisPlan, ct: Volume, centre_mm: np.ndarray | None = None) -> bytes:
    """PNG of axial, coronal and sagittal slices through `centre_mm` (default: the tumour centroid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = plan.labels
    lab = labels.array
    if centre_mm is None:
        centre_mm = labels.index_to_ras(np.argwhere(plan.resection.tumour).mean(axis=0))
    ijk = np.clip(np.rint(labels.ras_to_index(centre_mm)).astype(int), 0, np.array(lab.shape) - 1)
    sp = labels.spacing_mm
    views = [
        (
            "axial (from below)",
            (slice(None), slice(None), ijk[2]),
            (0, 1),
            ("R", "L", "P", "A"),
            sp[1] / sp[0],
        ),
        (
            "coronal (from front)",
            (slice(None), ijk[1], slice(None)),
            (0, 2),
            ("R", "L", "I", "S"),
            sp[2] / sp[0],
        ),
        (
            "sagittal (from left)",
            (ijk[0], slice(None), slice(None)),
            (1, 2),
            ("P", "A", "I", "S"),
            sp[2] / sp[1],
        ),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.4))
    plane = plan.plane
    for ax, (title, sl, _, letters, aspect) in zip(axes, views, strict=True):
        rgb = _rgb_overlay(
            np.asarray(ct.array[sl]),
            lab[sl],
            plan.resection.mask[sl],
            plan.implant.mask[sl],
            plan.resection.tumour[sl],
        )
        img = np.transpose(rgb, (1, 0, 2))  # rows = second axis
        if letters[0] == "R":
            img = img[:, ::-1]  # radiological: patient's right on the viewer's left
        ax.imshow(img, origin="lower", aspect=aspect, interpolation="nearest")
        if title.startswith("sagittal"):
            pass
        else:
            # trace of the symmetry plane in this slice
            n = lab.shape
            grid_i = np.arange(n[0])
            other = np.arange(n[1] if title.startswith("axial") else n[2])
            gi, go = np.meshgrid(grid_i, other, indexing="ij")
            idx = np.zeros((*gi.shape, 3), float)
            idx[..., 0] = gi
            if title.startswith("axial"):
                idx[..., 1], idx[..., 2] = go, ijk[2]
            else:
                idx[..., 1], idx[..., 2] = ijk[1], go
            d = plane.signed_distance_mm(labels.index_to_ras(idx))
            ax.contour(d[::-1].T, levels=[0.0], colors="cyan", linewidths=0.8, origin="lower")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        kw = {"color": "yellow", "fontsize": 12, "fontweight": "bold", "transform": ax.transAxes}
        ax.text(0.01, 0.5, letters[0], ha="left", va="center", **kw)
        ax.text(0.99, 0.5, letters[1], ha="right", va="center", **kw)
        ax.text(0.5, 0.01, letters[2], ha="center", va="bottom", **kw)
        ax.text(0.5, 0.99, letters[3], ha="center", va="top", **kw)
    fig.suptitle(
        "red/green/blue: left hip, right hip, sacrum; orange: resected bone; white: implant; "
        "red outline: tumour; cyan: symmetry plane",
        fontsize=9,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()

"""Surface meshes in RAS mm: extraction from masks, watertightness, STL (SPACE=RAS) and 3MF files.

3D Slicer reads the coordinate system of an STL/OBJ mesh from a `SPACE=RAS` or `SPACE=LPS`
comment in the file header and assumes LPS when there is none; a mesh written in RAS without
saying so appears mirrored in x and y. Every STL written here starts its 80-byte header with
`SPACE=RAS`.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .arrays import Floats, Ints
from .volume import Volume, bounding_box

STL_HEADER_PREFIX = b"SPACE=RAS"


@dataclass(frozen=True, eq=False)
class Mesh:
    """Triangle mesh: vertices (N, 3) float RAS mm, faces (M, 3) int, outward normals (CCW)."""

    vertices: np.ndarray
    faces: np.ndarray

    @property
    def triangles(self) -> int:
        return len(self.faces)

    @property
    def volume_ml(self) -> float:
        """Enclosed volume (divergence theorem), ml; meaningful for a closed mesh."""
        if not len(self.faces):
            return 0.0
        v = self.vertices[self.faces]
        return float(np.einsum("ij,ij->i", v[:, 0], np.cross(v[:, 1], v[:, 2])).sum() / 6.0) / 1000.0

    def is_watertight(self) -> bool:
        """Every edge shared by exactly two faces, with opposite orientation (closed, manifold,
        consistent)."""
        if not len(self.faces):
            return False
        f = self.faces
        edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
        n = int(self.vertices.shape[0])
        directed = edges[:, 0].astype(np.int64) * n + edges[:, 1]
        undirected = np.minimum(edges[:, 0], edges[:, 1]).astype(np.int64) * n + np.maximum(
            edges[:, 0], edges[:, 1]
        )
        _, counts = np.unique(undirected, return_counts=True)
        if np.any(counts != 2):
            return False
        return len(np.unique(directed)) == len(directed)

    def to_trimesh(self) -> Any:  # pragma: no cover - thin adapter (trimesh ships no annotations)
        import trimesh

        return trimesh.Trimesh(self.vertices, self.faces, process=False)


def extract_surface(mask: np.ndarray, grid: Volume, smooth_sigma_vox: float = 0.6) -> Mesh:
    """Closed surface of a bool mask on `grid` (iso-surface 0.5 of the lightly smoothed mask), RAS mm.

    The mask is cropped to its bounding box and padded, so the surface is closed even where the
    mask touches the volume's edge. The smoothing is a 3-tap Gaussian per axis (sigma
    `smooth_sigma_vox` voxels): it takes the staircase off the surface without moving it (the
    0.5 level of a symmetric blur of a flat face stays on the face). The iso-surface comes from
    VTK's flying edges (Schroeder W et al., Flying edges: a high-performance scalable
    isocontouring algorithm, IEEE LDAV 2015) when VTK is installed, else from scikit-image's
    marching cubes (Lewiner 2003). Vertex positions carry the grid's affine (any orientation);
    faces are oriented so that normals point outward.
    """
    box = bounding_box(mask, pad=0)
    if box is None:
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3), np.int64))
    lo, hi = box
    pad = 2
    field = np.zeros(tuple(int(h - lo_i) + 2 * pad for lo_i, h in zip(lo, hi, strict=True)), np.float32)
    field[pad:-pad, pad:-pad, pad:-pad] = mask[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))]
    if smooth_sigma_vox > 0:
        g = float(np.exp(-0.5 / smooth_sigma_vox**2))
        for axis in range(3):
            field = _blur3(field, axis, g / (1.0 + 2.0 * g))
    verts, faces, outward = isosurface(field, 0.5)
    ras = grid.index_to_ras(verts + (lo - pad))
    # a mirroring affine (det < 0, e.g. LPS storage) turns the faces inside out
    if outward != (np.linalg.det(grid.affine[:3, :3]) > 0):
        faces = faces[:, ::-1].copy()
    return Mesh(ras, faces)


def _blur3(field: np.ndarray, axis: int, w: float) -> np.ndarray:
    """w * left + (1 - 2 w) * centre + w * right along `axis`, zero outside; float32."""
    out = field * np.float32(1.0 - 2.0 * w)
    src = np.moveaxis(field, axis, 0)
    dst = np.moveaxis(out, axis, 0)
    dst[1:] += np.float32(w) * src[:-1]
    dst[:-1] += np.float32(w) * src[1:]
    return out


def _numpy_to_vtk(array: NDArray[Any], deep: bool) -> Any:
    """A VTK data array over `array` (VTK's numpy_support, which ships no annotations)."""
    from vtkmodules.util import numpy_support

    convert: Callable[..., Any] = numpy_support.numpy_to_vtk
    return convert(array, deep=deep)


def _vtk_to_numpy(data: Any) -> NDArray[Any]:
    """A NumPy view of a VTK data array (VTK's numpy_support, which ships no annotations)."""
    from vtkmodules.util import numpy_support

    convert: Callable[[Any], NDArray[Any]] = numpy_support.vtk_to_numpy
    return convert(data)


def isosurface(field: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """Vertices (index coordinates), triangles of the `level` iso-surface of a 3-D array, and
    whether the triangles wind counter-clockwise seen from the low-valued side (normals toward
    lower values, i.e. outward when the inside holds the higher values)."""
    try:
        from vtkmodules.vtkCommonDataModel import vtkImageData
        from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D
    except ImportError:  # pragma: no cover - VTK is optional
        from skimage.measure import marching_cubes

        cubes: Callable[..., tuple[Floats, Ints, Floats, Floats]] = marching_cubes  # no annotations
        verts, faces, _, _ = cubes(field, level=level, allow_degenerate=False)
        return verts, faces.astype(np.int64), _outward(verts, faces)  # skimage's winding varies by version
    # VTK's x varies fastest, as the last axis of a C-ordered array does: hand the array over
    # without a copy as an image of reversed dimensions, and swap the vertex columns back
    field = np.ascontiguousarray(field, dtype=np.float32)
    image = vtkImageData()
    image.SetDimensions(*field.shape[::-1])
    image.GetPointData().SetScalars(_numpy_to_vtk(field.ravel(), deep=False))
    fe = vtkFlyingEdges3D()
    fe.SetInputData(image)
    fe.SetValue(0, level)
    fe.ComputeNormalsOff()
    fe.ComputeGradientsOff()
    fe.ComputeScalarsOff()
    fe.InterpolateAttributesOff()
    fe.Update()
    out = fe.GetOutput()
    if out.GetNumberOfPoints() == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64), True
    verts = _vtk_to_numpy(out.GetPoints().GetData())[:, ::-1].astype(float)
    faces = _vtk_to_numpy(out.GetPolys().GetConnectivityArray()).reshape(-1, 3).astype(np.int64)
    return verts, faces, _vtk_winding_outward()


@functools.lru_cache(maxsize=1)
def _vtk_winding_outward() -> bool:
    """VTK's winding convention, read once off a small cube (cheaper than a volume per mesh)."""
    cube = np.zeros((5, 5, 5), np.float32)
    cube[1:4, 1:4, 1:4] = 1.0
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D

    image = vtkImageData()
    image.SetDimensions(*cube.shape[::-1])
    image.GetPointData().SetScalars(_numpy_to_vtk(cube.ravel(), deep=True))
    fe = vtkFlyingEdges3D()
    fe.SetInputData(image)
    fe.SetValue(0, 0.5)
    fe.Update()
    out = fe.GetOutput()
    verts = _vtk_to_numpy(out.GetPoints().GetData())[:, ::-1].astype(float)
    faces = _vtk_to_numpy(out.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    return _outward(verts, faces)


def _outward(verts: np.ndarray, faces: np.ndarray) -> bool:
    """Whether a closed surface's faces enclose a positive volume (normals outward)."""
    if not len(faces):
        return True
    v = verts[faces]
    return float(np.einsum("ij,ij->i", v[:, 0], np.cross(v[:, 1], v[:, 2])).sum()) > 0


def make_watertight(mesh: Mesh) -> Mesh:
    """Return a watertight, manifold version: as is if it already is, else repaired with manifold3d."""
    if mesh.is_watertight():
        return mesh
    import trimesh

    tm = trimesh.Trimesh(mesh.vertices, mesh.faces, process=True)
    tm.merge_vertices()
    tm.update_faces(tm.nondegenerate_faces())
    tm.update_faces(tm.unique_faces())
    tm.remove_unreferenced_vertices()
    fix_normals: Callable[[Any], None] = trimesh.repair.fix_normals  # trimesh ships no annotations
    fix_normals(tm)
    trimesh.repair.fill_holes(tm)
    candidate = Mesh(np.asarray(tm.vertices), np.asarray(tm.faces, dtype=np.int64))
    if candidate.is_watertight():
        return candidate
    import manifold3d

    m = manifold3d.Manifold(
        manifold3d.Mesh(
            vert_properties=np.asarray(tm.vertices, dtype=np.float32),
            tri_verts=np.asarray(tm.faces, dtype=np.uint32),
        )
    )
    out = m.to_mesh()
    return Mesh(np.asarray(out.vert_properties[:, :3], float), np.asarray(out.tri_verts, np.int64))


def stl_bytes(mesh: Mesh, description: str = "") -> bytes:
    """Binary STL with `SPACE=RAS` at the start of the header (3D Slicer convention), mm."""
    header = (STL_HEADER_PREFIX + b" units=mm " + description.encode("ascii", "replace"))[:80].ljust(80, b" ")
    v = mesh.vertices[mesh.faces].astype(np.float32)
    normals = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    norm = np.linalg.norm(normals, axis=1, keepdims=True)
    normals = (normals / np.where(norm > 0, norm, 1)).astype(np.float32)
    record = np.zeros(len(mesh.faces), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
    record["n"] = normals
    record["v"] = v
    return header + struct.pack("<I", len(mesh.faces)) + record.tobytes()


def write_stl(mesh: Mesh, path: str | Path, description: str = "") -> None:
    Path(path).write_bytes(stl_bytes(mesh, description))


def read_stl(path: str | Path) -> tuple[bytes, Mesh]:
    """Read a binary STL written by `write_stl`: (header, mesh with merged vertices)."""
    data = Path(path).read_bytes()
    header = data[:80]
    (n,) = struct.unpack("<I", data[80:84])
    record = np.frombuffer(
        data[84 : 84 + 50 * n], dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")]
    )
    tri = record["v"].reshape(-1, 3).astype(float)
    uniq, inverse = np.unique(tri, axis=0, return_inverse=True)
    return header, Mesh(uniq, inverse.reshape(-1, 3).astype(np.int64))


def write_3mf(mesh: Mesh, path: str | Path, name: str = "implant") -> None:
    """3MF (3D Manufacturing Format core spec 1.2) with unit millimetre; coordinates RAS mm."""
    verts = "".join(f'<vertex x="{x:.4f}" y="{y:.4f}" z="{z:.4f}"/>' for x, y, z in mesh.vertices)
    tris = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in mesh.faces)
    model = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<model unit="millimeter" xml:lang="en-US" '
        'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">'
        f'<metadata name="Title">{name}</metadata>'
        '<metadata name="Description">coordinates: RAS+ (patient right, anterior, superior), mm</metadata>'
        f'<resources><object id="1" type="model" name="{name}"><mesh><vertices>{verts}</vertices>'
        f"<triangles>{tris}</triangles></mesh></object></resources>"
        '<build><item objectid="1"/></build></model>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Target="/3D/3dmodel.model" Id="rel0" '
        'Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("3D/3dmodel.model", model)
    Path(path).write_bytes(buf.getvalue())

"""The array types of `rareonco.imaging`, by what they hold (NumPy arrays with their dtype).

Shapes and units are in each function's docstring; these names say the dtype, so that mypy
checks that a mask stays a mask and coordinates stay floating point.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import numpy as np
from numpy.typing import NDArray

#: any NumPy scalar type, for functions that keep their input's dtype
DT = TypeVar("DT", bound=np.generic)
#: bool on a voxel grid (a mask)
Mask: TypeAlias = NDArray[np.bool_]
#: float64: coordinates in mm, directions, 4x4 affines, distances
Floats: TypeAlias = NDArray[np.float64]
#: float32: HU, blurred or sampled volumes, distance fields
Float32s: TypeAlias = NDArray[np.float32]
#: any floating dtype (a filter keeps its input's: float32 in, float32 out)
Reals: TypeAlias = NDArray[np.floating[Any]]
#: integer voxel indices or counts
Ints: TypeAlias = NDArray[np.intp]
#: int32 labels of connected components or watershed markers
Labels32: TypeAlias = NDArray[np.int32]

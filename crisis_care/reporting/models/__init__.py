"""Reporting reads the other apps' records; it owns only saved fidelity reviews and exports."""

from .exports import DataSetExport, ExportStatus
from .fidelity import Band, CriterionSource, FidelityItemScore, FidelityReview

__all__ = [
    "Band",
    "CriterionSource",
    "DataSetExport",
    "ExportStatus",
    "FidelityItemScore",
    "FidelityReview",
]

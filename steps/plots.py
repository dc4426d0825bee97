"""Evaluation plots: ROC, precision-recall, calibration and feature importance, as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402


def _save(figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def roc_plot(labels, curves: dict[str, np.ndarray], path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(labels, scores)
        axis.plot(fpr, tpr, label=name)
    axis.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test period)")
    axis.legend(loc="lower right")
    return _save(figure, path)


def pr_plot(labels, curves: dict[str, np.ndarray], path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(5, 5))
    for name, scores in curves.items():
        precision, recall, _ = precision_recall_curve(labels, scores)
        axis.plot(recall, precision, label=name)
    axis.axhline(float(np.mean(labels)), linestyle=":", color="grey", label="hire rate")
    axis.set(xlabel="recall", ylabel="precision", title="Precision-recall (test period)")
    axis.legend(loc="upper right")
    return _save(figure, path)


def calibration_plot(labels, scores, path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(5, 5))
    observed, predicted = calibration_curve(labels, scores, n_bins=10, strategy="quantile")
    axis.plot(predicted, observed, marker="o", label="model")
    axis.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    axis.set(
        xlabel="predicted hire probability",
        ylabel="observed hire rate",
        title="Calibration (test period)",
    )
    axis.legend(loc="upper left")
    return _save(figure, path)


def importance_plot(names: list[str], gains: np.ndarray, path: Path) -> Path:
    order = np.argsort(gains)
    figure, axis = plt.subplots(figsize=(6, max(3, 0.3 * len(names))))
    axis.barh(np.array(names)[order], np.asarray(gains)[order])
    axis.set(xlabel="total gain", title="Feature importance")
    return _save(figure, path)

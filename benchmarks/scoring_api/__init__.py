"""The parts of the serving benchmark (``python -m benchmarks.serving_bench``), by concern:
``figures`` (the dataclasses of figures and the shared names), ``records`` (the model, the
records, the request bodies and workloads), ``store`` (the online store of the codes
scenarios), ``cold`` (the cold start), ``clients`` (the harnesses and timed calls), ``stages``
(raw predict and the per-stage breakdowns) and ``report`` (targets, printing, JSON)."""

"""The feature store behind one small interface.

Two feature groups hold what scoring needs: job profiles keyed by ``job_code`` and applicant
profiles keyed by ``applicant_code``, each with an ``event_time``. Backends:

- ``local``: an offline store of Parquet files laid out as SageMaker's offline store is, and
  an online store in SQLite holding the latest record per id by event time.
- ``sagemaker``: SageMaker Feature Store; groups are created on first ingestion, records are
  written with PutRecord (an upsert by record id and event time), the offline store is S3.

Ingestion is idempotent: the same records ingested twice change nothing online.

Modules: ``spec`` (group definitions, ingestion reports), ``store`` (the writer interface),
``local`` and ``sagemaker`` (the backends) and ``online`` (read-only lookups by id in either
online store, for serving). This init imports nothing, so ``featurestore.online`` stays free
of pandas, numpy and pyarrow: import what you need from its module.
"""

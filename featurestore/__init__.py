"""The feature store behind one small interface.

Two feature groups hold what scoring needs: job profiles keyed by ``job_code`` and applicant
profiles keyed by ``applicant_code``, each with an ``event_time``. Backends:

- ``local``: an offline store of Parquet files laid out as SageMaker's offline store is, and
  an online store in SQLite holding the latest record per id by event time.
- ``sagemaker``: SageMaker Feature Store (comes with the AWS target).

Ingestion is idempotent: the same records ingested twice change nothing.
"""

from featurestore.spec import FeatureGroupSpec, IngestionReport, spec_from_frame
from featurestore.store import FeatureStore

__all__ = ["FeatureGroupSpec", "FeatureStore", "IngestionReport", "spec_from_frame"]

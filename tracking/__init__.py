"""MLflow tracking and registry, the same calls locally (SQLite file) and on AWS.

- `tracking.connection`: the tracking URI (a SQLite file here, a SageMaker managed MLflow
  server's ARN on AWS, through the ``sagemaker-mlflow`` plugin), experiments, downloads;
- `tracking.registry`: registered versions, their approval status and the champion.
"""

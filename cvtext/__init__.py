"""CV files to text: text layers first, OCR for scanned pages, a cache by content hash.

The one text-extraction path of the project: the pipeline's Preprocess step, the API (a CV sent
as a file) and ``make extract FILE=...`` all call ``cvtext.extract.extract_cv_text``.
"""

"""Language models that triage what a caller says (OpenAI), behind a neutral Protocol."""

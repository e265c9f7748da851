from pathlib import Path

#: The public pages' stylesheet and any other file they link, served at /public/static.
PUBLIC_STATIC = Path(__file__).resolve().parent / "static"

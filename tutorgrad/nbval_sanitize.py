"""The nbval sanitize file for the lessons, shipped with the package: ``python -m tutorgrad.nbval_sanitize``
prints its path, so the lessons can be checked outside this repository::

    pytest --nbval --nbval-current-env --nbval-sanitize-with "$(python -m tutorgrad.nbval_sanitize)" notebooks/
"""
from pathlib import Path

PATH = Path(__file__).with_name("nbval_sanitize.cfg")

if __name__ == "__main__":
    print(PATH)

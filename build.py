#!/usr/bin/env python3
"""Build the site: a thin entry point over the dateline package (see README.md)."""
import sys

from dateline.cli import main

if __name__ == "__main__":
    sys.exit(main())

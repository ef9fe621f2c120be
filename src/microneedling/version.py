"""The installed package's version, read from its metadata (``importlib.metadata``).

``microneedling.__version__`` imports this module on first use: the metadata lookup scans the installed
distributions (about 45 ms), which ``microneedling --help`` and the commands that never print the version skip.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("microneedling")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

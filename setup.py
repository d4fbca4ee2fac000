"""Installs the MusicDB server: ``pip install .`` gives the ``musicdb`` command."""

import re

from setuptools import find_packages, setup

with open("musicdb/__init__.py", encoding="utf-8") as handle:
    VERSION = re.search(r'__version__ = "([^"]+)"', handle.read()).group(1)

with open("requirements.txt", encoding="utf-8") as handle:
    REQUIREMENTS = [line.strip() for line in handle if line.strip() and not line.startswith("#")]

setup(
    name="musicdb",
    version=VERSION,
    description="Self-hosted music server compatible with the MusicDB 8 WebUI",
    license="GPL-3.0-or-later",
    python_requires=">=3.9",
    packages=find_packages(exclude=["tests", "tests.*", "benchmarks"]),
    package_data={"musicdb": ["web/*"]},  # our own web page, served at /
    py_modules=[],
    install_requires=REQUIREMENTS,
    extras_require={"test": ["pytest>=8.0", "websocket-client>=1.7", "selenium>=4.20"]},
    entry_points={"console_scripts": ["musicdb = musicdb.__main__:run"]},
    data_files=[("share/musicdb", ["etc/musicdb.ini"]),
                ("share/musicdb/init.d", ["etc/init.d/musicdb"])],
)

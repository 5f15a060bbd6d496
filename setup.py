"""Build step beyond setup.cfg: the wheel carries the top-level `templates/` and `static/`
folders inside the package, and compiled translation catalogues."""
from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = ("templates", "static")


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install serves the folders where they are
        package = Path(self.build_lib) / "matchmaker"
        for name in ASSETS:
            self.copy_tree(name, str(package / name))
        self._compile_catalogues(package / "translations")

    @staticmethod
    def _compile_catalogues(folder: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in folder.glob("*/LC_MESSAGES/messages.po"):
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=po.parent.parent.name)
            with open(po.with_suffix(".mo"), "wb") as handle:
                write_mo(handle, catalogue)


setup(cmdclass={"build_py": BuildWithAssets})

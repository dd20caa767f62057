"""Gunicorn's command (startup.sh runs this, not /usr/bin/gunicorn), with
pkg_resources imported only if something uses it.

Gunicorn 20.1 imports pkg_resources at the top of gunicorn.util, for worker
classes named as entry points ("egg:..."), which this station does not use
(its worker class, "sync", is one of Gunicorn's own): the import scans every
installed distribution, 0.17 s of CPU at every start (of some 1.1 s of the
station's), on the cores the other stations start on.  The module
registered here in its place imports the real one at the first attribute
read and hands that on, so that a use still gets pkg_resources itself.
(importlib's LazyLoader does not do: Python 3.11's import statement reads
the module's __spec__, which loads it.)  /usr/bin/gunicorn also looks its
entry point up in the distributions' metadata (0.06 s more); this calls
that entry point, gunicorn.app.wsgiapp.run, directly.
"""
import importlib
import sys
import types


class _OnFirstUse(types.ModuleType):
    """pkg_resources until first use: then the real module, imported."""

    def __getattr__(self, name):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


sys.modules.setdefault("pkg_resources", _OnFirstUse("pkg_resources"))

from gunicorn.app.wsgiapp import run  # noqa: E402 (after the stand-in)

if __name__ == "__main__":
    sys.argv[0] = "gunicorn"
    sys.exit(run())

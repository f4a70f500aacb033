"""Importing scaling_core, and loading every dataset, neither unpickles nor touches the network."""

from __future__ import annotations

import subprocess
import sys
import textwrap

GUARDED = textwrap.dedent(
    """
    import pickle, socket, importlib, pkgutil

    def refuse(what):
        def guard(*args, **kwargs):
            raise AssertionError(what + " was called")
        return guard

    pickle.load = refuse("pickle.load")
    pickle.loads = refuse("pickle.loads")
    pickle.Unpickler = refuse("pickle.Unpickler")
    socket.socket.connect = refuse("socket.connect")
    socket.create_connection = refuse("socket.create_connection")

    import pandas
    pandas.read_pickle = refuse("pandas.read_pickle")

    import scaling_core
    for module in pkgutil.walk_packages(scaling_core.__path__, "scaling_core."):
        if module.name != "scaling_core.__main__":
            importlib.import_module(module.name)

    from scaling_core import data
    for name in data.available()["name"]:
        data.load(name)
    print("ok")
    """
)


def test_imports_and_loads_are_offline_and_never_unpickle() -> None:
    result = subprocess.run(
        [sys.executable, "-c", GUARDED], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")

"""Runs a Databricks notebook in source format the way Databricks does, with local PySpark: the file
must start with `# Databricks notebook source`; its cells (split at `# COMMAND ----------`) run in
order in one namespace that holds `spark` (a local session), `dbutils` (a stand-in that only knows
widgets, filled from a JSON object) and `__name__ == "__main__"`. Used by the notebook-mode test only.

    python databricks_notebook.py <notebook.py> <widgets.json> [master]

Prints one JSON line {"cells": N} after the last cell; an exception in a cell is printed and exits 1.
"""

import json
import sys
import traceback

HEADER = "# Databricks notebook source"
SEPARATOR = "\n# COMMAND ----------\n"


class Widgets:
    def __init__(self, values):
        self._values = dict(values)
        self.defined = []

    def text(self, name, default_value="", label=None):
        self.defined.append(name)
        self._values.setdefault(name, default_value)

    def get(self, name):
        if name not in self._values:
            raise ValueError(f"InputWidgetNotDefined: {name}")
        return self._values[name]


class DBUtils:
    def __init__(self, values):
        self.widgets = Widgets(values)


def main(notebook, widgets_file, master="local[2]"):
    with open(notebook, encoding="utf-8") as f:
        source = f.read()
    if not source.startswith(HEADER + "\n"):
        print(f"not a Databricks notebook source file (first line is not '{HEADER}')", file=sys.stderr)
        return 2
    cells = source[len(HEADER) + 1:].split(SEPARATOR)
    with open(widgets_file, encoding="utf-8") as f:
        values = json.load(f)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName("notebook")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    namespace = {"__name__": "__main__", "spark": spark, "dbutils": DBUtils(values)}
    try:
        for i, cell in enumerate(cells):
            try:
                exec(compile(cell, f"{notebook}[cell {i + 1}]", "exec"), namespace)
            except BaseException as e:  # noqa: BLE001 (reported like a failed cell)
                traceback.print_exc()
                print(f"notebook-cell-failed: {i + 1}: {type(e).__name__}: {e}", file=sys.stderr)
                return 1
        print(json.dumps({"cells": len(cells), "widgets": namespace["dbutils"].widgets.defined}))
        return 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

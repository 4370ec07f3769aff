# Databricks notebook source
"""The pinpipe batch on Apache Spark: the same contract as the DuckDB engine (src/batch/).

Reads the S3 sink's objects (a folder or bucket laid out as
`<topicsDir>/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json`), keeps each record's partition
and offset (start offset in the key + 0-based line number), drops copies of an offset (the copy in
the object with the smallest key wins), quarantines bad lines with the DuckDB engine's reasons,
builds the clean tables (tasks 1-3, one row per post: lowest offset, then lowest partition) and the
nine results (tasks 4-11), and writes `<out>/<result>.json`, `<out>/summary.json` and Parquet.

Three ways to run it:
- `pinpipe batch --engine spark` (src/batch/spark.ts) runs it from the cached venv that
  spark/install-spark.sh builds from spark/requirements-spark.lock;
- `python spark/pinpipe_batch_spark.py --source DIR --out DIR [--master local[*]]` directly;
- as a Databricks job (spark_python_task, parameters as on the command line, `--source
  s3://<bucket>` read through the workspace's S3 access; the cluster needs the lock's duckdb) or
  imported as a notebook (this file is in Databricks source format; the parameters are then notebook
  widgets of the same names).

The rules are the DuckDB engine's models (src/batch/models/), never a copy: the typed load runs
the staging models themselves in DuckDB inside each Spark task (TypedLoad), and everything after it
(rules tables, deduplication, quarantine, cleaning, results) runs their SQL translated to Spark SQL
by SQLGlot when the job starts (Models).
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import time
from decimal import Decimal

TOPIC_KINDS = ("pin", "geo", "user")
CLEAN_TABLES = {"pin": "pin_clean", "geo": "geo_clean", "user": "user_clean"}

# The rules: src/batch/models/ (docs/batch.md "Model graph"), the folder beside this file's spark/
# folder in a checkout (a Databricks Repo too: a notebook runs in its own folder), or
# PINPIPE_MODELS_DIR. Read on the driver only: the executors get the rendered SQL.


def _models_dir():
    here = globals().get("__file__")
    bases = [os.path.dirname(os.path.abspath(here))] if here else []
    candidates = [os.environ.get("PINPIPE_MODELS_DIR", "")] + [
        os.path.join(b, *rel) for b in bases + [os.getcwd()]
        for rel in (("..", "src", "batch", "models"), ("src", "batch", "models"))]
    for d in candidates:
        if d and os.path.isfile(os.path.join(d, "manifest.json")):
            return os.path.abspath(d)
    raise FileNotFoundError("the batch's rules (src/batch/models/manifest.json) are not beside spark/ nor in the "
                            "working folder: run from a checkout of the repository or set PINPIPE_MODELS_DIR")


MODELS_DIR = _models_dir()


def _result_names():
    with open(os.path.join(MODELS_DIR, "manifest.json"), encoding="utf-8") as f:
        return tuple(m["name"] for m in json.load(f)["models"] if m["layer"] == "results")


RESULT_NAMES = _result_names()

# ---------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------

MAX_PARTITION = 2_147_483_647
MAX_OFFSET = 2**53 - 1


def sink_key_pattern(topic):
    """Matches the tail `<topic>/partition=<p>/<topic>+<p>+<offset10>.json` of a path."""
    t = re.escape(topic)
    return re.compile(r"(?:^|/)(" + t + r"/partition=([0-9]+)/" + t + r"\+([0-9]+)\+([0-9]{10,})\.json)$")


def topic_prefix(topics_dir, topic):
    d = topics_dir.strip("/")
    return f"{topic}/" if d == "" else f"{d}/{topic}/"


def key_of(topics_dir, tail):
    """The object key of a matched `<topic>/partition=...` tail."""
    d = topics_dir.strip("/")
    return tail if d == "" else f"{d}/{tail}"


def sink_match(pattern, path):
    """The match of a sink object's path (key, partition, start offset in groups 1, 2 and 4), or None:
    the partition in the folder and in the name differ, or a partition over int32, an offset past 2^53
    (not a sink key, src/sink/keys.ts)."""
    m = pattern.search(path)
    ok = m and m.group(2) == m.group(3) and int(m.group(2)) <= MAX_PARTITION and int(m.group(4)) <= MAX_OFFSET
    return m if ok else None


def is_remote(uri):
    """A URI (s3://, s3a://, dbfs:/, file:///...) is listed and read through Hadoop's file system;
    a plain path with Python (no JVM is started for an empty folder)."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", uri) is not None


def list_local(source, topics_dir, topics):
    """{kind: [path]}, ignored keys: the sink objects of a local folder (sources.ts listLocalObjects)."""
    root = os.path.abspath(source)
    objects = {k: [] for k in TOPIC_KINDS}
    ignored = []
    for kind in TOPIC_KINDS:
        d = os.path.join(root, topic_prefix(topics_dir, topics[kind]))
        if not os.path.isdir(d):
            continue
        pattern = sink_key_pattern(topics[kind])
        for folder, _dirs, files in os.walk(d):
            for f in files:
                full = os.path.join(folder, f)
                key = os.path.relpath(full, root).replace(os.sep, "/")
                m = sink_match(pattern, key)
                ok = bool(m) and key == key_of(topics_dir, m.group(1))
                (objects[kind] if ok else ignored).append(full if ok else key)
    for kind in TOPIC_KINDS:
        objects[kind].sort()
    return objects, sorted(ignored)


def list_remote(spark, source, topics_dir, topics):
    """The same listing through Hadoop's FileSystem (s3://, s3a://, dbfs:/ ...)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    base = source.rstrip("/")
    objects = {k: [] for k in TOPIC_KINDS}
    ignored = []
    for kind in TOPIC_KINDS:
        path = jvm.org.apache.hadoop.fs.Path(base + "/" + topic_prefix(topics_dir, topics[kind]))
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            continue
        pattern = sink_key_pattern(topics[kind])
        it = fs.listFiles(path, True)
        while it.hasNext():
            p = it.next().getPath().toString()
            if sink_match(pattern, p):
                objects[kind].append(p)
            else:
                ignored.append(p)
    for kind in TOPIC_KINDS:
        objects[kind].sort()
    return objects, sorted(ignored)


# ---------------------------------------------------------------------------------------------
# The model graph on Spark (docs/decisions.md, "Spark runs the DuckDB models, translated by SQLGlot"):
# each model of src/batch/models/ rendered as models.ts renders it, its DuckDB SQL translated to
# Spark SQL by SQLGlot when the job starts, and its statements run as temporary views.
# ---------------------------------------------------------------------------------------------

_VAR = re.compile(r"\{\{(\w+)\}\}")
_REF = re.compile(r"\{\{ref (\w+)((?: \w+=\w+)*)\}\}")
_EACH_COLUMN = re.compile(r"\{\{each column\}\}(.*?)\{\{/each\}\}", re.S)
_COLUMN_VAR = re.compile(r"\{\{(column|column_kind|n)\}\}")
# Spark runs the layers rules, intermediate, clean and results (a full run; the merge layer is the
# DuckDB engine's incremental run); the staging layer runs in DuckDB (TypedLoad below).


class Models:
    """The manifest and its SQL files: render() as renderModel() of models.ts; statements() the
    Spark SQL of a model; run() executes them in a Spark session as temporary views."""

    def __init__(self, directory=None):
        self.dir = directory or MODELS_DIR
        with open(os.path.join(self.dir, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.by_name = {m["name"]: m for m in self.manifest["models"]}
        self.macros = {}     # CREATE MACRO name(params) AS body: inlined where called
        self.variables = {}  # SET VARIABLE name = value: inlined where getvariable('name') reads it

    def key(self, kind):
        return next(c["name"] for c in self.manifest["topics"][kind]["columns"] if c["kind"] == "key")

    def layer(self, layer):
        return [m for m in self.manifest["models"] if m["layer"] == layer and not m.get("ephemeral")]

    def render(self, name, kind=None, variables=None):
        """The SQL of a model: each {{each column}}…{{/each}} repeated once per column of the topic,
        {{var}} replaced by the topic's kind and key and `variables`, each {{ref name var=value}} by
        that ephemeral model's SELECT (renderModel of models.ts)."""
        mod = self.by_name[name]
        values = dict(variables or {})
        if kind:
            values = {"kind": kind, "key": self.key(kind), **values}
        rel = mod["file"].replace("{kind}", kind) if kind else mod["file"]
        with open(os.path.join(self.dir, rel), encoding="utf-8") as f:
            text = f.read()

        columns = self.manifest["topics"][kind]["columns"] if kind else []

        def each(m):
            return "".join(_COLUMN_VAR.sub(
                lambda v: {"column": c["name"], "column_kind": c["kind"], "n": str(i + 1)}[v.group(1)], m.group(1))
                for i, c in enumerate(columns))

        def var(m):
            if not re.fullmatch(r"\w+", values.get(m.group(1), "")):
                raise ValueError(f"model {name}: {rel} uses {{{{{m.group(1)}}}}}, which has no value here")
            return values[m.group(1)]

        def ref(m):
            ref_vars = dict(variables or {})
            ref_vars.update(arg.split("=") for arg in m.group(2).split())
            return self.render(m.group(1), kind, ref_vars) + "\n"

        text = _REF.sub(ref, _VAR.sub(var, _EACH_COLUMN.sub(each, text)))
        return re.sub(r";\s*$", "", text.strip()) if mod.get("ephemeral") else text

    def statements(self, name, kind=None):
        """The model's statements as SQLGlot expressions, translated to Spark SQL's."""
        import sqlglot

        out = []
        for stmt in sqlglot.parse(self.render(name, kind), read="duckdb"):
            if stmt is not None:
                out.append(self._define(stmt) or self.to_spark(stmt))
        return [s for s in out if s is not True]

    def _define(self, stmt):
        """A macro or a variable: kept to be inlined (True), nothing to run."""
        from sqlglot import exp

        if isinstance(stmt, exp.Create) and stmt.kind == "MACRO":
            fn = stmt.this
            self.macros[fn.this.name.lower()] = ([p.name for p in fn.expressions], stmt.expression)
            return True
        if isinstance(stmt, exp.Set):
            for item in stmt.expressions:
                eq = item.this
                self.variables[eq.this.name.lower()] = eq.expression
            return True
        return None

    def to_spark(self, tree):
        """The DuckDB-only parts SQLGlot leaves as they are, rewritten (the only hand-made transforms):
        a macro call → its body with the arguments in place of the parameters; getvariable('x') →
        the value it was set to (a scalar subquery, evaluated once by Spark); regexp_full_match(s, p)
        → s RLIKE '^(?:p)\\z'; rowid → the _rowid column the load adds; HUGEINT → DECIMAL(38, 0)."""
        from sqlglot import exp

        def rewrite(node):
            if isinstance(node, exp.Anonymous) and node.name.lower() in self.macros:
                params, body = self.macros[node.name.lower()]
                args = {p: a if isinstance(a, (exp.Column, exp.Literal)) else exp.Paren(this=a)
                        for p, a in zip(params, node.expressions)}
                if len(args) != len(params):
                    raise ValueError(f"{node.name}() takes {len(params)} argument(s): {node.sql('duckdb')}")
                inlined = body.transform(
                    lambda n: args[n.name].copy() if isinstance(n, exp.Column) and not n.table and n.name in args else n)
                return self.to_spark(inlined)
            if isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable":
                return self.to_spark(self.variables[node.expressions[0].name.lower()].copy())
            if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
                return exp.RegexpLike(this=self.to_spark(node.this),
                                      expression=exp.Literal.string(f"^(?:{node.expression.this})\\z"))
            if isinstance(node, exp.Column) and node.name.lower() == "rowid":
                return exp.column("_rowid", table=node.table or None)
            if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
                return exp.DataType.build("DECIMAL(38, 0)")
            return node

        return tree.transform(rewrite)

    def run(self, spark, name, kind=None):
        """Runs a model's statements: CREATE TABLE/VIEW → a temporary view (a table's rows kept);
        INSERT, DELETE → the view's rows replaced; DROP → the view dropped."""
        for stmt in self.statements(name, kind):
            run_statement(spark, stmt)

    def run_layer(self, spark, layer, kind=None):
        for mod in self.layer(layer):
            if bool(mod.get("topic")) == (kind is not None):
                self.run(spark, mod["name"], kind)

    def query(self, spark, name, kind=None):
        """The DataFrame of a model that is one SELECT (a result)."""
        (stmt,) = self.statements(name, kind)
        return spark.sql(stmt.sql("spark", comments=False))


def _replace_view(spark, name, df):
    """A table: its rows kept once computed (a lazy local checkpoint: computed by the first job that
    reads it, never if none does). Not cache(): Spark finds a cached table in a later query only
    when the plans match, which the rule tables' subqueries defeat, and uncaches a table when a view
    it was built on is replaced or dropped; a checkpoint is read as it is."""
    df.localCheckpoint(eager=False).createOrReplaceTempView(name)


def run_statement(spark, stmt):
    """One translated statement in Spark (its temporary views stand in for DuckDB's tables)."""
    from pyspark.sql import functions as F
    from sqlglot import exp

    if isinstance(stmt, exp.Create) and stmt.kind in ("TABLE", "VIEW"):
        name = stmt.this.this.name if isinstance(stmt.this, exp.Schema) else stmt.this.name
        if stmt.expression is None:  # CREATE TABLE name (columns): an empty table
            if stmt.args.get("exists") and spark.catalog.tableExists(name):
                return
            ddl = ", ".join(f"`{c.name}` {c.args['kind'].sql('spark')}" for c in stmt.this.expressions)
            spark.createDataFrame([], ddl).createOrReplaceTempView(name)
        elif stmt.kind == "TABLE":
            _replace_view(spark, name, spark.sql(stmt.expression.sql("spark", comments=False)))
        else:
            spark.sql(stmt.expression.sql("spark", comments=False)).createOrReplaceTempView(name)
    elif isinstance(stmt, exp.Insert):
        name = stmt.this.name
        target = spark.table(name)
        rows = stmt.expression
        if isinstance(rows, exp.Values):  # VALUES (...), ...: one SELECT per row
            rows = exp.union(*[exp.select(*t.expressions) for t in rows.expressions], distinct=False) \
                if len(rows.expressions) > 1 else exp.select(*rows.expressions[0].expressions)
        new = spark.sql(rows.sql("spark", comments=False))
        new = new.select([F.col(f"`{c}`").cast(f.dataType).alias(f.name)
                          for c, f in zip(new.columns, target.schema.fields)])
        _replace_view(spark, name, target.unionByName(new))
    elif isinstance(stmt, exp.Delete):
        name = stmt.this.name
        keep = spark.table(name)
        if stmt.this.alias:
            keep = keep.alias(stmt.this.alias)
        where = stmt.args["where"].this.sql("spark", comments=False)
        _replace_view(spark, name, keep.where(f"NOT coalesce(({where}), false)"))
    elif isinstance(stmt, exp.Drop) and stmt.kind in ("TABLE", "VIEW"):
        for table in stmt.args["tables"]:
            if spark.catalog.tableExists(table.name):
                spark.table(table.name).unpersist()
            spark.catalog.dropTempView(table.name)
    else:
        raise ValueError(f"no Spark rendition of the statement {stmt.sql('duckdb')[:200]}")


# ---------------------------------------------------------------------------------------------
# The typed load: the DuckDB engine's own staging models, run by DuckDB inside each Spark task
# (docs/decisions.md, "Spark types the lines with the DuckDB load"). Spark reads the objects and
# spreads them over its tasks; each task writes its objects to a local folder and types their lines
# exactly as src/batch/load-objects.ts does: object_lines() of rules/macros.sql, then the rendered
# staging/load.sql (lines.sql inlined), on a DuckDB connection that ran the rules layer.
# ---------------------------------------------------------------------------------------------

# Object bytes per load statement in a task: bounded so that a task's memory stays small.
CHUNK_BYTES = 64 * 1024 * 1024
# load-objects.ts: DuckDB's error for an object that is not valid UTF-8
UTF8_ERROR = re.compile(r"could not read content of file '(.+)' as valid UTF-8")


def sanitize_utf8(data, marker):
    """sanitizeUtf8() of load-objects.ts: every line that is not valid UTF-8 replaced by the marker,
    so that DuckDB's read_text can read the object and each line keeps its number."""
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            lines[i] = marker
    return b"\n".join(lines)


class TypedLoad:
    """The typed load of one topic as the function of Spark's mapInArrow: record batches of objects
    (path, content) in, record batches of staged rows out (the columns of staging/load.sql for the topic).
    Holds only the rendered SQL, so that it travels to the executors without the model files."""

    def __init__(self, models, kind, topic, topics_dir):
        self.rules = [models.render(m["name"]) for m in models.layer("rules")]
        self.sql = models.render("load", kind)
        self.topic = topic
        self.topics_dir = topics_dir

    def connect(self, threads=1):
        """A DuckDB connection set up as the DuckDB engine's (duckdb.ts: UTC) with the rules layer run."""
        import duckdb

        con = duckdb.connect(config={"threads": threads})
        con.execute("SET TimeZone = 'UTC'")
        for sql in self.rules:
            con.execute(sql)
        con.execute("CREATE TEMP TABLE load_files (file VARCHAR, key VARCHAR, partition INTEGER, start_offset BIGINT)")
        return con

    def lines(self, con, files):
        """chunk_lines: the lines of files [(file, key, partition, start_offset)], with load_files (the
        loop of loadChunk() in load-objects.ts: an object that is not valid UTF-8 is sanitised and
        read again)."""
        import duckdb
        import pyarrow as pa

        names = [f[0] for f in files]
        con.execute("DELETE FROM load_files")
        con.register("_files", pa.table(list(zip(*files)), names=["file", "key", "partition", "start_offset"]))
        con.execute("INSERT INTO load_files SELECT * FROM _files")
        con.unregister("_files")
        con.execute("SET VARIABLE files = ?::VARCHAR[]", [names])
        for _attempt in range(len(files) + 1):
            try:
                con.execute("CREATE OR REPLACE TEMP TABLE chunk_lines AS SELECT * FROM object_lines(getvariable('files'))")
                return
            except duckdb.Error as e:
                bad = UTF8_ERROR.search(str(e))
                if not bad or bad.group(1) not in names:
                    raise
                marker = con.execute("SELECT invalid_utf8_marker()").fetchone()[0].encode("utf-8")
                with open(bad.group(1), "rb") as f:
                    data = sanitize_utf8(f.read(), marker)
                with open(bad.group(1), "wb") as f:
                    f.write(data)

    def load(self, con, files):
        """The staged rows of files, as record batches."""
        self.lines(con, files)
        yield from con.execute(self.sql).to_arrow_reader(65536)
        con.execute("DROP TABLE chunk_lines")

    def schema(self):
        """The staged rows' Spark schema: the types of the load's columns in DuckDB (of an empty object)."""
        import tempfile
        from pyspark.sql.pandas.types import from_arrow_schema

        con = self.connect()
        with tempfile.NamedTemporaryFile(suffix=".json") as empty:
            self.lines(con, [(empty.name, "", 0, 0)])
            fields = con.execute(self.sql).to_arrow_table().schema
        con.close()
        return from_arrow_schema(fields)

    def __call__(self, batches):
        import tempfile

        pattern = sink_key_pattern(self.topic)
        local_dirs = os.environ.get("SPARK_LOCAL_DIRS", "").split(",")
        con = self.connect()
        with tempfile.TemporaryDirectory(prefix="pinpipe-load-", dir=local_dirs[0] or None) as tmp:
            files, size = [], 0
            for batch in batches:
                for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
                    m = sink_match(pattern, path)
                    file = os.path.join(tmp, f"{len(files)}.json")
                    with open(file, "wb") as f:
                        f.write(content)
                    files.append((file, key_of(self.topics_dir, m.group(1)), int(m.group(2)), int(m.group(4))))
                    size += len(content)
                    if size >= CHUNK_BYTES:
                        yield from self.load(con, files)
                        for file, *_ in files:
                            os.remove(file)
                        files, size = [], 0
            if files:
                yield from self.load(con, files)
        con.close()


def load_topic(spark, models, kind, topic, topics_dir, uris):
    """The lines of the topic's objects, typed, as the view staged_<kind> (the staging models' table,
    with the row id that DuckDB's rowid is translated to); returns the line count."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    load = TypedLoad(models, kind, topic, topics_dir)
    schema = load.schema()
    if __name__ != "__main__":  # imported (a test, a notebook's %run): the executors cannot import this module
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    if uris:
        objects = spark.read.format("binaryFile").load(uris).select("path", "content")
        staged = objects.mapInArrow(load, schema)
    else:
        staged = spark.createDataFrame([], schema)
    staged = staged.withColumn("_rowid", F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)
    lines = staged.count()
    staged.createOrReplaceTempView(f"staged_{kind}")
    return lines


def plain(v):
    """A result value as the DuckDB engine writes it to JSON (whole doubles without a fraction)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def write_json(path, value):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def write_parquet(df, name, area, a):
    """A local single file <parquet-dir>/<area>/<name>.parquet (like the DuckDB engine), and/or
    the Hive-style folder <output-uri>/<prefix>/<name>/run_date=<d>/ (on a cluster)."""
    written = []
    if a.parquet_dir:
        target = os.path.join(a.parquet_dir, area, f"{name}.parquet")
        tmp = target + ".spark"
        df.coalesce(1).write.mode("overwrite").option("compression", "zstd").parquet("file://" + tmp)
        part = next(f for f in sorted(os.listdir(tmp)) if f.startswith("part-") and f.endswith(".parquet"))
        os.replace(os.path.join(tmp, part), target)
        shutil.rmtree(tmp, ignore_errors=True)
        written.append({"name": name, "area": area, "file": target})
    if a.output_uri:
        prefix = (a.curated_prefix if area == "curated" else a.analytics_prefix).strip("/")
        uri = f"{a.output_uri.rstrip('/')}/{prefix + '/' if prefix else ''}{name}/run_date={a.run_date}"
        df.write.mode("overwrite").parquet(uri)
        written.append({"name": name, "area": area, "uri": uri})
    return written


def remote_source(uri, topics_dir):
    """summary.source of a bucket URI: s3://bucket[/prefix] → {kind: s3, bucket, prefix}."""
    m = re.match(r"^[a-zA-Z0-9+.-]+://([^/]+)/?(.*)$", uri)
    bucket, prefix = (m.group(1), m.group(2).strip("/")) if m else (uri, "")
    return {"kind": "s3", "bucket": bucket, "prefix": "/".join(p for p in (prefix, topics_dir.strip("/")) if p)}


def empty_summary(a, started):
    return {
        "runDate": a.run_date,
        "generatedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "nothingToProcess": False,
        "source": remote_source(a.source, a.topics_dir) if is_remote(a.source) and not a.source.startswith("file:")
        else {"kind": "dir", "path": os.path.abspath(re.sub(r"^file:(//)?", "", a.source))},
        "objects": {"total": 0, "fetched": 0, "cached": 0, "ignored": 0, "perTopic": {k: 0 for k in TOPIC_KINDS}},
        "lines": {k: 0 for k in TOPIC_KINDS},
        "rows": {k: 0 for k in TOPIC_KINDS},
        "duplicates": {"offsets": {k: 0 for k in TOPIC_KINDS}, "posts": {k: 0 for k in TOPIC_KINDS}, "total": 0},
        "quarantined": {"perTopic": {k: 0 for k in TOPIC_KINDS}, "total": 0, "byReason": {}, "samples": []},
        "results": {},
        "outDir": os.path.abspath(a.out),
        "duckdbPath": "",
        "engine": "spark",
        "parquet": {"dir": a.parquet_dir, "uploaded": []},
        "timingsMs": {},
        "durationMs": 0,
        "_started": started,
    }


def finish(summary, results, a):
    for name in RESULT_NAMES:
        rows = results.get(name, [])
        summary["results"][name] = len(rows)
        write_json(os.path.join(a.out, f"{name}.json"), rows)
    started = summary.pop("_started")
    summary["durationMs"] = round((time.time() - started) * 1000)
    write_json(os.path.join(a.out, "summary.json"), summary)
    return summary


def info(msg):
    print(f"batch[spark]: {msg}", file=sys.stderr, flush=True)


def start_spark(a):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("pinpipe-batch")
    if a.master:
        builder = builder.master(a.master)
    builder = (builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.showConsoleProgress", "false"))
    if a.master and a.master.startswith("local"):
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.driver.memory", a.driver_memory)
                   .config("spark.sql.shuffle.partitions", str((os.cpu_count() or 2) * 2))
                   .config("spark.driver.extraJavaOptions", "-Djava.io.tmpdir=" + os.path.join(a.work_dir, "spark-tmp"))
                   .config("spark.local.dir", os.path.join(a.work_dir, "spark-tmp")))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run(a, spark=None):
    from pyspark.sql import functions as F

    started = time.time()
    summary = empty_summary(a, started)
    timings = summary["timingsMs"]
    topics = {k: f"{a.pipeline_id}.{k}" for k in TOPIC_KINDS}

    def step(name, t0):
        timings[name] = round((time.time() - t0) * 1000)

    t0 = time.time()
    remote = is_remote(a.source)
    if not remote:
        if not os.path.isdir(a.source):
            raise UsageError(f"--source {a.source} is not a folder. Pass a folder laid out like the bucket "
                             f"(it holds {a.topics_dir}/<topic>/partition=<p>/...).")
        objects, ignored = list_local(a.source, a.topics_dir, topics)
    else:
        spark = spark or start_spark(a)
        objects, ignored = list_remote(spark, a.source, a.topics_dir, topics)
    step("list", t0)
    total = sum(len(v) for v in objects.values())
    summary["objects"].update(total=total, ignored=len(ignored),
                              perTopic={k: len(objects[k]) for k in TOPIC_KINDS})
    if ignored:
        info(f"{len(ignored)} object(s) under the topics are not sink objects and were skipped, e.g. "
             + ", ".join(ignored[:3]))
    info(f"{total} object(s) in {a.source} (pin {len(objects['pin'])}, geo {len(objects['geo'])}, "
         f"user {len(objects['user'])})")
    if total == 0:
        summary["nothingToProcess"] = True
        info(f"nothing to process: no sink objects under {a.source} for topics {a.pipeline_id}.{{pin,geo,user}}")
        return finish(summary, {}, a)

    t0 = time.time()
    spark = spark or start_spark(a)
    step("session", t0)

    t0 = time.time()
    models = Models()
    models.run_layer(spark, "rules")
    step("rules", t0)

    load_ms = clean_ms = 0
    for kind in TOPIC_KINDS:
        t0 = time.time()
        uris = [p if remote else "file://" + os.path.abspath(p) for p in objects[kind]]
        lines = summary["lines"][kind] = load_topic(spark, models, kind, topics[kind], a.topics_dir, uris)
        t1 = time.time()
        models.run_layer(spark, "intermediate", kind)
        models.run_layer(spark, "clean", kind)
        raw = spark.table(f"raw_{kind}").count()
        rows = summary["rows"][kind] = spark.table(CLEAN_TABLES[kind]).count()
        q = summary["quarantined"]["perTopic"][kind] = spark.table("quarantine").where(F.col("topic") == kind).count()
        summary["duplicates"]["offsets"][kind] = lines - raw - q
        summary["duplicates"]["posts"][kind] = raw - rows
        load_ms += t1 - t0
        clean_ms += time.time() - t1
    # the staged lines stay cached until the job ends: dropping a view uncaches every table built
    # on it (Spark's cascade), and each result would then read and type the objects again
    summary["duplicates"]["total"] = sum(summary["duplicates"]["offsets"].values()) + sum(
        summary["duplicates"]["posts"].values())
    summary["quarantined"]["total"] = sum(summary["quarantined"]["perTopic"].values())
    reasons = spark.sql("SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY n DESC, reason")
    summary["quarantined"]["byReason"] = {r["reason"]: r["n"] for r in reasons.collect()}
    samples = spark.sql("""SELECT topic, key, line_no AS line, offset, reason, substr(line, 1, 200) AS text
                           FROM quarantine ORDER BY topic, key, line_no LIMIT 20""")
    summary["quarantined"]["samples"] = [r.asDict() for r in samples.collect()]
    if summary["quarantined"]["total"]:
        top = list(summary["quarantined"]["byReason"].items())[:3]
        info(f"{summary['quarantined']['total']} line(s) quarantined ("
             + "; ".join(f"{n} × {r}" for r, n in top) + ")")
    timings["load"] = round(load_ms * 1000)
    timings["clean"] = round(clean_ms * 1000)

    t0 = time.time()
    results = {}
    frames = {}
    for mod in models.layer("results"):
        name = mod["name"]
        df = models.query(spark, name)
        rows = df.collect()
        frames[name] = spark.createDataFrame(rows, df.schema) if rows else df
        frames[name].createOrReplaceTempView(name)
        results[name] = [{k: plain(v) for k, v in r.asDict().items()} for r in rows]
    step("analytics", t0)

    t0 = time.time()
    if a.parquet_dir:
        shutil.rmtree(a.parquet_dir, ignore_errors=True)
    files = []
    for kind in TOPIC_KINDS:
        files += write_parquet(spark.table(CLEAN_TABLES[kind]), CLEAN_TABLES[kind], "curated", a)
    # in the DuckDB engine's order (run-batch.ts)
    files += write_parquet(spark.table("quarantine").orderBy("topic", "key", "line_no"), "quarantine", "curated", a)
    for name in RESULT_NAMES:
        files += write_parquet(frames[name], name, "analytics", a)
    summary["parquet"]["uploaded"] = [f["uri"] for f in files if "uri" in f]
    step("parquet", t0)
    t0 = time.time()
    out = finish(summary, results, a)
    step("json", t0)
    write_json(os.path.join(a.out, "summary.json"), out)
    return out


class UsageError(Exception):
    pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description="The pinpipe batch on Apache Spark (see the module docstring).")
    ap.add_argument("--source", required=True, help="folder or URI (s3://bucket, s3a://bucket/prefix, dbfs:/...) "
                                                    "laid out like the bucket")
    ap.add_argument("--out", required=True, help="folder for <result>.json and summary.json")
    ap.add_argument("--master", default=None, help="Spark master (local[*], spark://host:7077, ...); "
                                                   "default: the active session (Databricks) or Spark's default")
    ap.add_argument("--pipeline-id", default="0e7ae8feb921")
    ap.add_argument("--topics-dir", default="topics")
    ap.add_argument("--run-date", default=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"))
    ap.add_argument("--work-dir", default=".pinpipe/batch")
    ap.add_argument("--parquet-dir", default=None, help="local folder for <area>/<table>.parquet")
    ap.add_argument("--output-uri", default=None, help="s3://bucket: Parquet to <prefix>/<table>/run_date=<d>/")
    ap.add_argument("--curated-prefix", default="curated")
    ap.add_argument("--analytics-prefix", default="analytics")
    ap.add_argument("--driver-memory", default="2g")
    return ap.parse_args(argv)


NOTEBOOK_WIDGETS = ("source", "out", "pipeline-id", "topics-dir", "run-date", "output-uri", "curated-prefix",
                    "analytics-prefix")


def _notebook_argv():
    """In a Databricks notebook: the parameters as text widgets of the same names (without --),
    defined here so that they show in the notebook; a job's parameters fill them."""
    dbutils = globals().get("dbutils")
    if dbutils is None:
        return None
    argv = []
    for n in NOTEBOOK_WIDGETS:
        try:
            dbutils.widgets.text(n, "", n)
            v = dbutils.widgets.get(n)
        except Exception:  # noqa: BLE001 (widgets unavailable: the parameter is not set)
            v = ""
        if v:
            argv += [f"--{n}", v]
    return argv


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    nb = _notebook_argv()
    if nb is None and argv[:1] == ["--jobs"]:
        return run_jobs(argv[1])
    if nb is not None and not ("--source" in nb and "--out" in nb):
        print("pinpipe-spark-error: USAGE: set the notebook widgets (or job parameters) source and out",
              file=sys.stderr)
        return 2
    a = parse_args(nb if nb is not None else argv)
    try:
        summary = run(a, spark=globals().get("spark") if nb is not None else None)
    except UsageError as e:
        print(f"pinpipe-spark-error: USAGE: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"summary": os.path.join(a.out, "summary.json"), "durationMs": summary["durationMs"]}))
    return 0


def run_jobs(file):
    """`--jobs <file.json>`: a list of argument lists, run one after the other in one Spark session
    (the JVM starts once: the cross-engine test runs several data sets this way)."""
    with open(file, encoding="utf-8") as f:
        jobs = [parse_args(argv) for argv in json.load(f)]
    spark = None
    for a in jobs:
        if spark is None and not is_remote(a.source):
            spark = start_spark(a)
        run(a, spark=spark)
        if spark is not None:
            spark.catalog.clearCache()
    return 0


# COMMAND ----------

if __name__ == "__main__":
    code = main()
    if globals().get("dbutils") is None:
        sys.exit(code)
    elif code != 0:
        # a notebook or job run fails on an exception, not on a return value
        raise RuntimeError(f"pinpipe batch failed (exit {code}): see the error above")
